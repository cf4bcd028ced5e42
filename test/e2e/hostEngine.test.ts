import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nixCacheProgram } from "../../program";
import { requireTools } from "../support/tools";
import { BinaryCache, deleteStorePath, startBinaryCache } from "./support/binaryCache";
import { BuilderHost, freePort, generateSshKey, startBuilderHost } from "./support/builderHost";
import { snapshotDir } from "./support/hostStack";
import { requireBuilderHost } from "./support/requirements";

// The whole program through the real Pulumi engine (the project's pinned CLI and its command
// provider from .tools/bin) against a real builder host: up, up again, token rotation, a host
// that cannot be reached next to one that can, destroy.

const TOOLS = path.resolve(__dirname, "../../.tools");
const host_ = requireBuilderHost();
const engine = host_.skip ? { skip: true } : requireTools(["pulumi", "pulumi-resource-command"], "run `bash scripts/setup.sh` (builds the pinned Pulumi CLI and plugins into .tools/bin)");
const skip = host_.skip || engine.skip;

const TOKEN = "engine-token.first_1";
const ROTATED = "engine-token.second_2";
const OWN = "# the host's own\nsandbox = false\nsubstituters =\ntrusted-users = root";

let cache: BinaryCache;
let host: BuilderHost;
let stack: Stack;
let work: string;

beforeAll(async () => {
    if (skip) {
        return;
    }
    cache = await startBinaryCache({ keyName: "e2e.cachix.org-1", token: TOKEN });
    host = await startBuilderHost({ ownNixConf: OWN });
    work = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-engine-"));
    const envVars = {
        PATH: `${path.join(TOOLS, "bin")}:${process.env.PATH}`,
        PULUMI_CONFIG_PASSPHRASE: "engine-test",
        PULUMI_BACKEND_URL: `file://${work}`,
        PULUMI_HOME: path.join(work, "home"),
        PULUMI_SKIP_UPDATE_CHECK: "true",
    };
    // The inline program runs in this process, so the engine's variables must be here too.
    Object.assign(process.env, envVars);
    const pulumiCommand = await PulumiCommand.get({ root: TOOLS, skipVersionCheck: true });
    stack = await LocalWorkspace.createOrSelectStack(
        { stackName: "engine", projectName: "nix-cache", program: async () => nixCacheProgram() },
        { pulumiCommand, envVars, workDir: work },
    );
});

afterAll(async () => {
    await host?.stop();
    await cache?.close();
    if (work !== undefined) {
        fs.rmSync(work, { recursive: true, force: true });
    }
});

async function configure(hosts: Record<string, unknown>[], token: string): Promise<void> {
    const entry = { kind: "nix", address: "127.0.0.1", trustedUsers: ["ci"] };
    await stack.setAllConfig({
        "nix-cache:cache": { value: JSON.stringify({ name: "e2e", url: cache.url, publicKeys: [cache.publicKey], private: true }) },
        "nix-cache:useCacheNixosOrg": { value: "false" },
        "nix-cache:hosts": { value: JSON.stringify(hosts.map((h) => ({ ...entry, ...h }))) },
        "nix-cache:cachixAuthToken": { value: token, secret: true },
        "nix-cache:sshPrivateKey": { value: host.privateKey, secret: true },
    });
}

async function substitute(): Promise<number> {
    const result = await host.run("root", `nix-store -r ${cache.storePath} --option narinfo-cache-negative-ttl 0`);
    await deleteStorePath(cache.storePath);
    return result.code;
}

/** The outputs NixHost registered, read from the stack's state. */
async function nixHostOutputs(name: string): Promise<Record<string, unknown>> {
    const state = (await stack.exportStack()).deployment as { resources: { type: string; urn: string; outputs?: Record<string, unknown> }[] };
    const resource = state.resources.find((r) => r.type === "nix-cache:index:NixHost" && r.urn.endsWith(`::nix-cache-host-${name}`));
    return resource?.outputs ?? {};
}

describe.skipIf(skip)("NixHost through the real Pulumi engine (pinned CLI, real sshd + Debian nix-bin)", () => {
    it("up: a reachable host is set up even though the others fail, each failure named clearly", async () => {
        const impostorKey = await generateSshKey(path.join(work, "impostor"));
        await configure(
            [
                { name: "good", port: host.port, hostKey: host.hostKey },
                { name: "down", port: await freePort(), hostKey: host.hostKey },
                { name: "impostor", address: "localhost", port: host.port, hostKey: impostorKey },
            ],
            TOKEN,
        );
        const log: string[] = [];
        const error = await stack.up({ continueOnError: true, onOutput: (line) => log.push(line) }).then(
            () => undefined,
            (e: Error) => e,
        );
        const output = log.join("");
        expect(error).toBeDefined();
        expect(output).toMatch(/nix-cache-host-down-settings[\s\S]*unable to connect to 127\.0\.0\.1:\d+[\s\S]*connection refused/);
        expect(output).toMatch(/nix-cache-host-impostor-settings[\s\S]*host key verification failed/);
        expect(output).not.toContain(TOKEN);
        expect(output).not.toContain("BEGIN OPENSSH PRIVATE KEY");
        // The good host went all the way: settings, netrc, verify.
        expect(fs.readFileSync(path.join(host.nixConfDir, "netrc"), "utf8")).toBe(`machine 127.0.0.1 password ${TOKEN}\n`);
        expect(await substitute()).toBe(0);
    });

    it("up with only the good host: done, and its effective settings are the NixHost's outputs", async () => {
        await configure([{ name: "good", port: host.port, hostKey: host.hostKey }], TOKEN);
        const up = await stack.up();
        expect(up.summary.result).toBe("succeeded");
        const outputs = await nixHostOutputs("good");
        expect(outputs["effectiveSubstituters"]).toEqual([cache.url]);
        expect(outputs["effectiveTrustedUsers"]).toEqual(["root", "ci"]);
        expect(outputs["effectiveTrustedPublicKeys"]).toContain(cache.publicKey);
    });

    it("a second up changes nothing, on the host or in the stack", async () => {
        const before = snapshotDir(host.nixConfDir);
        const up = await stack.up();
        expect(up.summary.resourceChanges).toEqual({ same: up.summary.resourceChanges!["same"] });
        expect(snapshotDir(host.nixConfDir)).toEqual(before);
    });

    it("rotating cachixAuthToken updates the netrc command only, and only the netrc on the host", async () => {
        const before = snapshotDir(host.nixConfDir);
        cache.token = ROTATED;
        await configure([{ name: "good", port: host.port, hostKey: host.hostKey }], ROTATED);
        const preview = await stack.preview({ diff: true });
        expect(preview.changeSummary).toEqual({ same: preview.changeSummary["same"], update: 1 });
        const up = await stack.up();
        expect(up.summary.resourceChanges).toEqual({ same: up.summary.resourceChanges!["same"], update: 1 });
        const after = snapshotDir(host.nixConfDir);
        expect(Object.keys(after).filter((f) => JSON.stringify(after[f]) !== JSON.stringify(before[f]))).toEqual(["netrc"]);
        expect(await substitute()).toBe(0);
    });

    it("a replacement (new config dir) undoes before it applies, so the host stays configured", async () => {
        // The session's NIX_CONF_DIR wins over nixConfDir, so old and new are the same files.
        await configure([{ name: "good", port: host.port, hostKey: host.hostKey, nixConfDir: "/opt/nix-elsewhere" }], ROTATED);
        const up = await stack.up();
        expect(up.summary.resourceChanges!["replace"]).toBeGreaterThanOrEqual(1);
        expect(fs.readFileSync(path.join(host.nixConfDir, "nix.conf"), "utf8").startsWith(`${OWN}\n`)).toBe(true);
        expect(fs.existsSync(path.join(host.nixConfDir, "nix-cache.conf"))).toBe(true);
        expect(await substitute()).toBe(0);
    });

    it("destroy restores the host's nix.conf byte for byte", async () => {
        await stack.destroy();
        expect(fs.readdirSync(host.nixConfDir)).toEqual(["nix.conf"]);
        expect(fs.readFileSync(path.join(host.nixConfDir, "nix.conf"), "utf8")).toBe(OWN);
    });
});
