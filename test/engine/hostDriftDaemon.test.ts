import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BuilderHost, startBuilderHost } from "../../scripts/localhost/builderHost";
import { recordPreviewDiff, recordUp } from "../../scripts/localhost/engine/engineRun";
import { createEngineStack, engineConfig, EngineStack, hostEntry } from "../../scripts/localhost/engine/engineStack";
import { NIX_CONF_DIR } from "../../scripts/localhost/hostIdentity";
import { daemonStandInSetup } from "../e2e/support/daemonStandIn";
import { requireNamespaces } from "../e2e/support/requirements";
import { requireEngine } from "./support/requirements";

// The drift a file comparison cannot see: a running nix-daemon that has not read the files as
// they are (restarted from other files, or never restarted after an edit). The host runs a real
// nix-daemon under a systemd stand-in (test/e2e/support/daemonStandIn.ts); the real engine's
// preview names it, `up` restarts the daemon, and the next preview is clean.

const engineRequirements = requireEngine();
const skip = engineRequirements.skip || requireNamespaces("systemd stand-in").skip;
const KEY = "engine.cachix.org-1:nwFwvaBUbiLCjv87hHeMXDx6QFDlaCTqC4dqc4iLYt4=";

let host: BuilderHost;
let engine: EngineStack;
let work: string;
let firstConf: string;

const settings = "nix-cache-host-builder-settings";
const verify = "nix-cache-host-builder-verify";

beforeAll(async () => {
    if (skip) {
        return;
    }
    engine = await createEngineStack("drift-daemon");
    work = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-drift-daemon-"));
    const hostDir = path.join(engine.root, "host");
    fs.mkdirSync(hostDir);
    const standIn = daemonStandInSetup(work, path.join(hostDir, NIX_CONF_DIR));
    host = await startBuilderHost({ dir: hostDir, ownNixConf: "trusted-users = root\n", env: { NIX_DAEMON_SOCKET_PATH: standIn.socket }, namespaceSetup: standIn.setup });
    // The config dir as it was: a daemon started from it never read nix-cache's files.
    firstConf = path.join(work, "first-conf");
    fs.cpSync(host.nixConfDir, firstConf, { recursive: true });
    const started = await host.run("root", "systemctl start nix-daemon.service");
    expect(started.code, started.stderr).toBe(0);
    await engine.stack.setAllConfig(
        engineConfig({ cache: { url: "http://127.0.0.1:9", publicKey: KEY, private: false }, hosts: [hostEntry("builder", host)], privateKeys: { sshPrivateKey: host.privateKey } }),
    );
});

afterAll(async () => {
    if (host !== undefined) {
        await host.run("root", "systemctl stop nix-daemon.service");
        await host.remove();
    }
    await engine?.remove();
    if (work !== undefined) {
        fs.rmSync(work, { recursive: true, force: true });
    }
});

describe.skipIf(skip)("engine: a nix-daemon that has not read the files is drift, and up restarts it", () => {
    it("after the first up (which restarts the daemon), the preview is clean", async () => {
        const run = await recordUp(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        const preview = await recordPreviewDiff(engine.stack, engine.transcript, { expectNoChanges: true });
        expect(preview.error, preview.stdout).toBeUndefined();
    }, 180_000);

    it("a daemon started from other files: the preview names it, up restarts it, the next preview is clean", async () => {
        const restarted = await host.run("root", `NC_TEST_DAEMON_CONF='${firstConf}' systemctl start nix-daemon.service`);
        expect(restarted.code, restarted.stderr).toBe(0);

        const preview = await recordPreviewDiff(engine.stack, engine.transcript, { expectNoChanges: true });
        expect(preview.error).toBeDefined();
        expect(preview.changed).toEqual({ [settings]: ["update"], [verify]: ["update"] });
        expect(preview.stdout).toMatch(/drift: daemon: .*the next apply restarts it/);

        const run = await recordUp(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        expect(run.changed).toEqual({ [settings]: ["update"], [verify]: ["update"] });
        const after = await recordPreviewDiff(engine.stack, engine.transcript, { expectNoChanges: true });
        expect(after.error, after.stdout).toBeUndefined();
    }, 240_000);
});
