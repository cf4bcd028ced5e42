import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exitCodeOf, formatVerdicts, verifyStack } from "../../cli/verify";
import { loadStackModel } from "../../components/config/load";
import { RemoteRun } from "../../components/hosts/hostCommands";
import { rawConfigFromStackFile } from "../../components/config/sources";
import { mirrorTrustedCache } from "../../components/mirror/mirrorCache";
import { BuilderHost, startBuilderHost } from "../../scripts/localhost/builderHost";
import { exec } from "../../scripts/localhost/exec";
import { freePort } from "../../scripts/localhost/ports";
import { generateSshKey } from "../../scripts/localhost/sshKeys";
import { commandsFor, snapshotDir, testStack } from "./support/hostStack";
import { requireBuilderHost } from "./support/requirements";

// `npm run verify` against real hosts: one applied builder host, one with nothing listening,
// and one whose pinned host key is wrong. Verify only reads.

const requirements = requireBuilderHost();
const CACHE = { url: "https://e2e.example.org", publicKey: "e2e.cachix.org-1:nwFwvaBUbiLCjv87hHeMXDx6QFDlaCTqC4dqc4iLYt4=", private: false };
const OWN = "trusted-users = root\n";

let host: BuilderHost;
let stacksDir: string;
let stackYaml: { config: Record<string, unknown> };
let appliedCommands: { apply: RemoteRun };

beforeAll(async () => {
    if (requirements.skip) {
        return;
    }
    host = await startBuilderHost({ ownNixConf: OWN });
    stacksDir = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-stacks-"));
    const entry = { kind: "nix", address: "127.0.0.1", trustedUsers: ["ci"] };
    const wrongKey = await generateSshKey(path.join(stacksDir, "impostor"));
    stackYaml = {
        config: {
            "nix-cache:cache": { name: "e2e", url: CACHE.url, publicKeys: [CACHE.publicKey] },
            "nix-cache:useCacheNixosOrg": false,
            "nix-cache:hosts": [
                { name: "good", ...entry, port: host.port, hostKey: host.hostKey },
                { name: "gone", ...entry, port: await freePort(), hostKey: host.hostKey },
                { name: "impostor", ...entry, address: "localhost", port: host.port, hostKey: wrongKey },
            ],
            "nix-cache:sshPrivateKey": { secure: "v1:ciphertext-never-read" },
        },
    };
    fs.writeFileSync(path.join(stacksDir, "Pulumi.e2e.yaml"), stringify(stackYaml));
    // Applied as the stack file declares it: host "good" of stack e2e, so the owner stamps match.
    appliedCommands = commandsFor(testStack(CACHE, host, { name: "good", kind: "nix", trustedUsers: ["ci"] })).commands;
    expect((await host.run("root", appliedCommands.apply)).code).toBe(0);
});

afterAll(async () => {
    await host?.remove();
    if (stacksDir !== undefined) {
        fs.rmSync(stacksDir, { recursive: true, force: true });
    }
});

describe.skipIf(requirements.skip)("npm run verify (real sshd + Debian nix-bin)", () => {
    it("reports the applied host ok, the unreachable one and the wrong host key clearly, and changes nothing", async () => {
        const before = snapshotDir(host.nixConfDir);
        const verdicts = await verifyStack("e2e", { stacksDir, identityFile: host.privateKeyFile });
        expect(snapshotDir(host.nixConfDir)).toEqual(before);
        const byHost = Object.fromEntries(verdicts.map((v) => [v.host, v]));
        // This machine's Nix is Debian's nix-bin.
        expect(byHost["good"]).toMatchObject({ status: "ok", detected: "nix", installer: "debian", details: [] });
        expect(byHost["gone"]).toMatchObject({ status: "unreachable", details: ["unreachable: connection refused"] });
        expect(byHost["impostor"].status).toBe("unreachable");
        expect(byHost["impostor"].details[0]).toMatch(/^host key mismatch/);
        expect(exitCodeOf(verdicts)).toBe(1);
        expect(formatVerdicts(verdicts)).toMatch(/^good\s+nix\s+nix\s+debian\s+ok$/m);
    });

    it("reports drift when a managed file was changed on the host, naming what is missing", async () => {
        const managed = path.join(host.nixConfDir, "nix-cache.conf");
        const original = fs.readFileSync(managed, "utf8");
        fs.writeFileSync(managed, original.replace(/^extra-trusted-users = .*$/m, ""));
        try {
            const [verdict] = await verifyStack("e2e", { stacksDir, identityFile: host.privateKeyFile, host: "good" });
            expect(verdict.status).toBe("drift");
            expect(verdict.details).toContain(`file: ${managed} differs from the declared content`);
            expect(verdict.details).toContain("effective: missing trusted-user ci");
        } finally {
            fs.writeFileSync(managed, original);
        }
    });

    it("as a command: prints the table and exits non-zero on any unreachable or drifting host", async () => {
        const tsx = path.resolve(__dirname, "../../node_modules/.bin/tsx");
        const cli = path.resolve(__dirname, "../../cli/verify.ts");
        const all = await exec(tsx, [cli, "--stack", "e2e", "--stacks-dir", stacksDir, "--identity", host.privateKeyFile]);
        expect(all.code).toBe(1);
        expect(all.stdout).toMatch(/^gone\s+nix\s+-\s+-\s+unreachable$/m);
        const good = await exec(tsx, [cli, "--stack", "e2e", "--stacks-dir", stacksDir, "--identity", host.privateKeyFile, "--host", "good"]);
        expect(good.code, good.stdout + good.stderr).toBe(0);
        const usage = await exec(tsx, [cli]);
        expect(usage.code).toBe(2);
        expect(usage.stderr).toMatch(/Usage: npm run verify -- --stack NAME/);
    });

    it("with an S3 mirror: asks for its key before connecting, then checks the mirror's substituter and that key", async () => {
        // The same stack with a mirror, applied as `pulumi up` would with the key it generated.
        const mirrorDir = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-stacks-mirror-"));
        const mirrorKey = `e2e-mirror-1:${Buffer.alloc(32, 7).toString("base64")}`;
        const otherKey = `e2e-mirror-1:${Buffer.alloc(32, 9).toString("base64")}`;
        const file = path.join(mirrorDir, "Pulumi.e2e.yaml");
        fs.writeFileSync(file, stringify({ config: { ...stackYaml.config, "nix-cache:mirror": { bucket: "e2e-mirror", endpoint: "http://127.0.0.1:9000" } } }));
        const model = loadStackModel(rawConfigFromStackFile(file), { mode: "render" });
        const { commands } = commandsFor(model, "e2e", { host: "good", added: [mirrorTrustedCache(model.mirror!, [mirrorKey])] });
        try {
            expect((await host.run("root", commands.apply)).code).toBe(0);
            const options = { stacksDir: mirrorDir, identityFile: host.privateKeyFile, host: "good" };
            await expect(verifyStack("e2e", options)).rejects.toThrow(/^stack e2e has an S3 mirror, whose current key "e2e-mirror-1" .* --mirror-key /);
            const [verdict] = await verifyStack("e2e", { ...options, mirrorKey });
            expect(verdict).toMatchObject({ status: "ok", details: [] });
            // A key the host does not have: its managed file and its effective keys differ.
            const [wrong] = await verifyStack("e2e", { ...options, mirrorKey: otherKey });
            expect(wrong.status).toBe("drift");
            expect(wrong.details).toContain(`file: ${path.join(host.nixConfDir, "nix-cache.conf")} differs from the declared content`);
            expect(wrong.details.join("\n")).toMatch(/effective: missing .*trusted-public-key e2e-mirror-1:CQkJ/);
            // The stack without its mirror sees that mirror host as drifted, not ok.
            const [plain] = await verifyStack("e2e", { stacksDir, identityFile: host.privateKeyFile, host: "good" });
            expect(plain.status).toBe("drift");
        } finally {
            fs.rmSync(mirrorDir, { recursive: true, force: true });
            expect((await host.run("root", appliedCommands.apply)).code).toBe(0);
        }
    });
});
