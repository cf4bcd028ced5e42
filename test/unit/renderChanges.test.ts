import { describe, expect, it } from "vitest";
import { appliedState } from "../../cli/appliedState";
import { secretEntries, stackChanges } from "../../cli/renderChanges";
import { stackSummary } from "../../cli/renderSummary";
import { loadStackModel } from "../../components/config/load";
import { StackModel } from "../../components/config/model";
import { replacementTriggers } from "../../components/hosts/connection";
import { hostCommands } from "../../components/hosts/hostCommands";
import { hostScripts } from "../../components/hosts/hostScripts";
import { hostOwner, hostPayload } from "../../components/hosts/payload";
import { renderedAddedCaches } from "../../components/mirror/mirrorCache";
import { secretPlaceholder } from "../../components/render/artifact";
import { allArtifacts } from "../../components/setup/allArtifacts";
import { ATPROTO_KEY, HOST_KEY, rawConfig } from "../support/config";

// Render without --out compares what it would apply with what the last `up` recorded, as
// `pulumi stack export` prints it (secrets as ciphertext), and says per target what changes.

const MIRROR_KEY = "atproto-mirror-1:AAAAC3NzaC1lZDI1NTE5AAAAIHY/Iqipe4Qb5bqdBeZIfnl+bTHJsvFe=";
const EXTRA_KEY = "extra.example.org-1:mgH0q9dt3ZI9puHEfIGDnkRBfT80I3vfEh4Wda2B0rk=";
const CIPHERTEXT = { "4dabf18193072939515e22adc298c5f8": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:c2VjcmV0" };

function stack(config: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        cache: { name: "atproto", url: "https://atproto.cachix.org", publicKeys: [ATPROTO_KEY], private: true },
        useCacheNixosOrg: false,
        hosts: [
            { name: "b1", kind: "nix", address: "192.0.2.1", hostKey: HOST_KEY, trustedUsers: ["ci", "alice"] },
            { name: "b2", kind: "nix", address: "192.0.2.2", hostKey: HOST_KEY },
        ],
        github: { owner: "atproto-nix", repositories: [{ name: "nur", branch: "main", targets: ["all"] }], secret: { scope: "repository", credential: "authToken" } },
        mirror: { bucket: "atproto-nix-cache", region: "eu-west-1", public: true, keyName: "atproto-mirror-1" },
        ...config,
    };
}

function model(config: Record<string, unknown>): StackModel {
    return loadStackModel(rawConfig(config, { sshPrivateKey: "x", cachixAuthToken: "x" }), { mode: "render" });
}

/** What `pulumi stack export` prints after an `up` of `m`: the inputs apply records, the mirror's key generated. */
function exported(m: StackModel, options: { secretStdin?: boolean } = {}): unknown {
    const resources: Record<string, unknown>[] = [{ urn: "urn:pulumi:s::nix-cache::pulumi:pulumi:Stack::nix-cache-s", type: "pulumi:pulumi:Stack" }];
    const add = (type: string, name: string, inputs: Record<string, unknown>, parent?: string) => {
        const urn = `urn:pulumi:s::nix-cache::${type}::${name}`;
        resources.push({ urn, type, inputs, ...(parent === undefined ? {} : { parent }) });
        return urn;
    };
    const generated = renderedAddedCaches(m).map((cache) => ({ ...cache, publicKeys: [MIRROR_KEY] }));
    for (const host of m.hosts) {
        const component = add("nix-cache:index:NixHost", `nix-cache-host-${host.name}`, {});
        const commands = hostCommands(hostScripts(hostPayload(m, host, generated, hostOwner("nix-cache", "s", host))), host.kind);
        const triggers = replacementTriggers(host);
        add("command:remote:Command", `nix-cache-host-${host.name}-settings`, { triggers, stdin: `${commands.apply.stdin}in effect\n` }, component);
        if (commands.netrcApply !== undefined) {
            add("command:remote:Command", `nix-cache-host-${host.name}-netrc`, { triggers, stdin: CIPHERTEXT }, component);
        }
        const stdin = options.secretStdin ? CIPHERTEXT : `${commands.verify.stdin}in effect\nnetrc: in effect\n`;
        add("command:remote:Command", `nix-cache-host-${host.name}-verify`, { stdin }, component);
    }
    for (const artifact of allArtifacts(m, secretPlaceholder, "s")) {
        const [, where, key] = artifact.target.split(":");
        if (artifact.kind === "workflow") {
            add("github:index/repositoryFile:RepositoryFile", "workflow", { repository: where.split("/")[1], file: artifact.target.split(":").slice(2).join(":"), content: artifact.content });
        } else if (artifact.kind === "bucket-policy") {
            add("aws:s3/bucketPolicy:BucketPolicy", "policy", { bucket: where, policy: JSON.stringify(JSON.parse(artifact.content)) });
        } else if (artifact.target.startsWith("s3:")) {
            add("aws:s3/bucketObjectv2:BucketObjectv2", "info", { bucket: where, key, content: artifact.content });
        }
    }
    const secrets = allArtifacts(m, secretPlaceholder, "s").filter((a) => a.kind === "github-secret").flatMap((a) => secretEntries(JSON.parse(a.content)));
    for (const secret of secrets) {
        add("github:index/actionsSecret:ActionsSecret", `secret-${String(secret.name)}`, { repository: "nur", secretName: secret.name, plaintextValue: CIPHERTEXT });
    }
    return { version: 3, deployment: { resources } };
}

function changes(applied: Record<string, unknown>, now: Record<string, unknown>) {
    const m = model(now);
    return stackChanges("s", m, allArtifacts(m, secretPlaceholder, "s"), appliedState(exported(model(applied))));
}

describe("what render says would change", () => {
    it("nothing, right after an up of the same stack file (the mirror's generated key matches its placeholder)", () => {
        const found = changes(stack(), stack());
        expect(Object.fromEntries(found.byTarget)).toEqual({
            "host:b1": "unchanged since the last up",
            "host:b2": "unchanged since the last up",
            "repository:atproto-nix/nur": "workflow file unchanged since the last up",
            secrets: "names unchanged (values are secrets: not compared)",
            "bucket:atproto-nix-cache": "nix-cache-info unchanged; policy unchanged",
        });
        expect(found.removed).toEqual([]);
        expect(found.basis).toBe("compared with what its last up recorded (secrets are never compared)");
    });

    it("per host: a cache and a trusted user added, another removed; the netrc unchanged; the other host untouched", () => {
        const before = stack();
        const after = stack({
            extraCaches: [{ url: "https://extra.example.org", publicKeys: [EXTRA_KEY] }],
            hosts: [
                { name: "b1", kind: "nix", address: "192.0.2.1", hostKey: HOST_KEY, trustedUsers: ["ci", "bob"] },
                { name: "b2", kind: "nix", address: "192.0.2.2", hostKey: HOST_KEY },
            ],
        });
        const found = changes(before, after);
        expect(found.byTarget.get("host:b1")).toBe(
            `substituters +https://extra.example.org; trusted-public-keys +${EXTRA_KEY}; trusted-users +bob -alice; netrc unchanged`,
        );
        expect(found.byTarget.get("host:b2")).toBe(`substituters +https://extra.example.org; trusted-public-keys +${EXTRA_KEY}; netrc unchanged`);
        expect(found.byTarget.get("repository:atproto-nix/nur")).toBe("workflow file unchanged since the last up");
    });

    it("a host added is not applied yet; a host removed is said to be undone by the next up; a retired host gets no line", () => {
        const after = stack({
            hosts: [
                { name: "b1", kind: "nix", address: "192.0.2.1", hostKey: HOST_KEY, trustedUsers: ["ci", "alice"], retired: true },
                { name: "b3", kind: "user", address: "192.0.2.3", user: "dev", hostKey: HOST_KEY },
            ],
        });
        const found = changes(stack(), after);
        expect(found.byTarget.get("host:b3")).toBe("added: not applied yet");
        expect(found.byTarget.has("host:b1")).toBe(false);
        expect(found.removed).toEqual(["b2"]);
    });

    it("a new login, restartDaemon and a public cache: named, with the netrc removed", () => {
        const after = stack({
            cache: { name: "atproto", url: "https://atproto.cachix.org", publicKeys: [ATPROTO_KEY] },
            hosts: [
                { name: "b1", kind: "nix", address: "192.0.2.9", hostKey: HOST_KEY, trustedUsers: ["ci", "alice"], restartDaemon: false },
                { name: "b2", kind: "nix", address: "192.0.2.2", hostKey: HOST_KEY },
            ],
        });
        const found = changes(stack(), after);
        expect(found.byTarget.get("host:b1")).toBe("restartDaemon yes -> no; login or files elsewhere: undone there and applied anew; netrc removed");
        expect(found.byTarget.get("host:b2")).toBe("settings unchanged; netrc removed");
    });

    it("the bucket policy and the workflow file as recorded differently, and the secrets' names from another secret name", () => {
        const m = model(stack());
        const state = exported(m) as { deployment: { resources: { type: string; inputs?: Record<string, unknown> }[] } };
        for (const resource of state.deployment.resources) {
            if (resource.type === "aws:s3/bucketPolicy:BucketPolicy" || resource.type === "github:index/repositoryFile:RepositoryFile") {
                resource.inputs = { ...resource.inputs, policy: "{}", content: "on: push\n" };
            }
        }
        const found = stackChanges("s", m, allArtifacts(m, secretPlaceholder, "s"), appliedState(state));
        expect(found.byTarget.get("bucket:atproto-nix-cache")).toBe("nix-cache-info unchanged; policy changes");
        expect(found.byTarget.get("repository:atproto-nix/nur")).toBe("workflow file changes");
        const renamed = stack({ github: { owner: "atproto-nix", repositories: [{ name: "nur", branch: "main", targets: ["all"] }], secret: { scope: "repository", credential: "authToken", name: "NIX_CACHE_TOKEN" } } });
        expect(changes(stack(), renamed).byTarget.get("secrets")).toBe("names +NIX_CACHE_TOKEN -CACHIX_AUTH_TOKEN (values are secrets: not compared)");
    });

    it("commands recorded as secrets are not compared, and never decrypted", () => {
        const m = model(stack());
        const found = stackChanges("s", m, allArtifacts(m, secretPlaceholder, "s"), appliedState(exported(m, { secretStdin: true })));
        expect(found.byTarget.get("host:b1")).toBe("its recorded commands are secret: not compared");
        expect(JSON.stringify([...found.byTarget])).not.toContain("c2VjcmV0");
    });

    it("an empty state is not applied yet; the summary says so in its first line and adds no change lines", () => {
        const m = model(stack());
        const artifacts = allArtifacts(m, secretPlaceholder, "s");
        const text = stackSummary("s", m, artifacts, stackChanges("s", m, artifacts, appliedState({ deployment: { resources: [] } })));
        expect(text.split("\n")[0]).toBe("stack s: what `pulumi up` applies; what would change: not applied yet: its state is empty");
        expect(text).not.toContain("would change:  ");
    });

    it("the summary puts each change under its target, and a removed host after the hosts", () => {
        const after = stack({ hosts: [{ name: "b1", kind: "nix", address: "192.0.2.1", hostKey: HOST_KEY, trustedUsers: ["ci"] }] });
        const m = model(after);
        const artifacts = allArtifacts(m, secretPlaceholder, "s");
        const text = stackSummary("s", m, artifacts, stackChanges("s", m, artifacts, appliedState(exported(model(stack())))));
        const lines = text.split("\n");
        const at = lines.indexOf("  would change: trusted-users -alice; netrc unchanged");
        expect(at).toBeGreaterThan(0);
        expect(lines[at + 2]).toBe("host b2: removed from the stack file: its files are undone by the next up");
        expect(text).toContain("repository atproto-nix/nur\n  would change: workflow file unchanged since the last up\n");
        expect(text).toContain("  would change: nix-cache-info unchanged; policy unchanged\n");
    });
});
