import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyReport } from "../../cli/verify";
import { pulumiConfigReader } from "../../cli/stackKeys";
import { BuilderHost, openBuilderHost } from "../../scripts/localhost/builderHost";
import { exec } from "../../scripts/localhost/exec";
import { recordUp } from "../../scripts/localhost/engine/engineRun";
import { createEngineStack, engineCliEnv, EngineConfig, engineConfig, EngineStack, hostEntry } from "../../scripts/localhost/engine/engineStack";
import { keyOnlyConfig } from "./support/keyOnlyStack";
import { requireEngine } from "./support/requirements";

// `npm run verify` logs in the way `pulumi up` does: with the stack's own SSH key secret,
// decrypted by the pulumi CLI, never printed nor put on a command line; `--json` gives the same
// report to scripts.

const requirements = requireEngine();
const STACK = "verify";

let alpha: BuilderHost;
let engine: EngineStack;

const config = (hosts: EngineConfig["hosts"]): EngineConfig => keyOnlyConfig(hosts, alpha.privateKey);

beforeAll(async () => {
    if (requirements.skip) {
        return;
    }
    engine = await createEngineStack(STACK);
    alpha = await openBuilderHost({ dir: path.join(engine.root, "alpha"), ownNixConf: "# a host of this test\n" });
    await alpha.start();
    await engine.stack.setAllConfig(engineConfig(config([hostEntry("alpha", alpha)])));
    expect((await recordUp(engine.stack, engine.transcript)).error).toBeUndefined();
});

afterAll(async () => {
    await alpha?.remove();
    await engine?.remove();
});

describe.skipIf(requirements.skip)("verify with the stack's own key", () => {
    it("reads the key secret through the pulumi CLI and logs in with it", async () => {
        const readSecret = pulumiConfigReader(STACK, { cwd: engine.dirs.work, env: engineCliEnv(engine) });
        // The CLI ends what it prints with a newline.
        expect((await readSecret("sshPrivateKey")).trimEnd()).toBe(alpha.privateKey.trimEnd());
        const report = await verifyReport(STACK, { stacksDir: engine.dirs.work, readSecret, cachixToken: undefined });
        expect(report.hosts.map((h) => [h.host, h.status])).toEqual([["alpha", "ok"]]);
    }, 120_000);

    it("a secret it cannot read is named, with the way out, and no host is asked", async () => {
        const readSecret = pulumiConfigReader(STACK, { cwd: engine.dirs.work, env: { ...engineCliEnv(engine), PULUMI_CONFIG_PASSPHRASE: "wrong" } });
        const logins = alpha.logins();
        await expect(verifyReport(STACK, { stacksDir: engine.dirs.work, readSecret })).rejects.toThrow(
            /^cannot read the stack's SSH key nix-cache:sshPrivateKey \(pulumi config get: .*\); make the stack's secrets readable here .* or pass --identity SSH_KEY_FILE$/,
        );
        expect(alpha.logins()).toBe(logins);
    }, 120_000);

    it("as a command, without --identity: --json prints the report as one JSON document, and the key nowhere", async () => {
        const tsx = path.join(__dirname, "../../node_modules/.bin/tsx");
        const cli = path.join(__dirname, "../../cli/verify.ts");
        const result = await exec(tsx, [cli, "--stack", STACK, "--stacks-dir", engine.dirs.work, "--json"], { env: { ...process.env, ...engineCliEnv(engine) } });
        expect(result.code, result.stderr).toBe(0);
        const report = JSON.parse(result.stdout) as { stack: string; exitCode: number; hosts: { host: string; status: string }[] };
        expect(report).toMatchObject({ stack: STACK, exitCode: 0, hosts: [{ host: "alpha", kind: "nix", status: "ok" }] });
        for (const text of [result.stdout, result.stderr]) {
            expect(text).not.toContain("PRIVATE KEY");
        }
    }, 120_000);

    it("a retired host is reported as such, not contacted", async () => {
        await engine.stack.setAllConfig(engineConfig(config([hostEntry("alpha", alpha, { retired: true })])));
        const logins = alpha.logins();
        const report = await verifyReport(STACK, { stacksDir: engine.dirs.work, readSecret: () => Promise.reject(new Error("not read")) });
        expect(report.hosts).toEqual([{ host: "alpha", kind: "nix", status: "retired", details: ["not contacted (retired: true)"] }]);
        expect(alpha.logins()).toBe(logins);
    }, 60_000);
});
