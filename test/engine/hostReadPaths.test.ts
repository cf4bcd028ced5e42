import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BuilderHost, startBuilderHost } from "../../scripts/localhost/builderHost";
import { exec } from "../../scripts/localhost/exec";
import { recordDestroy, recordPreviewDiff, recordUp } from "../../scripts/localhost/engine/engineRun";
import { createEngineStack, engineConfig, EngineStack, hostEntry } from "../../scripts/localhost/engine/engineStack";
import { requireTools } from "../support/tools";
import { requireEngine } from "./support/requirements";

// The program's own read of a host connects as the command provider does: here through a proxy
// (the host's own sshd, reached again from itself) and with the key in an SSH agent, both pinned
// by host key. The read must reach the host the same way the commands do, or a healthy host
// would look unreachable.

const requirements = requireEngine();
const skip = requirements.skip || requireTools(["ssh-agent", "ssh-add"], "scripts/system-deps.sh installs openssh-client").skip;
const KEY = "engine.cachix.org-1:nwFwvaBUbiLCjv87hHeMXDx6QFDlaCTqC4dqc4iLYt4=";

let host: BuilderHost;
let engine: EngineStack;
let agent: ChildProcess | undefined;
let agentSocket: string;

beforeAll(async () => {
    if (skip) {
        return;
    }
    engine = await createEngineStack("read-paths");
    host = await startBuilderHost({ dir: path.join(engine.root, "host"), ownNixConf: "# a host of this test\n" });
    agentSocket = path.join(engine.root, "agent.sock");
    agent = spawn("ssh-agent", ["-D", "-a", agentSocket], { stdio: "ignore" });
    for (let i = 0; i < 50 && !fs.existsSync(agentSocket); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const added = await exec("ssh-add", [host.privateKeyFile], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket } });
    expect(added.code, added.stderr).toBe(0);
    const entry = hostEntry("bastioned", host, {
        sshAgent: agentSocket,
        proxy: { address: "127.0.0.1", port: host.port, user: "root", hostKey: host.hostKey },
    });
    await engine.stack.setAllConfig(engineConfig({ cache: { url: "http://127.0.0.1:9", publicKey: KEY, private: false }, hosts: [entry], privateKeys: {} }));
});

afterAll(async () => {
    agent?.kill();
    await host?.remove();
    await engine?.remove();
});

describe.skipIf(skip)("engine: the read reaches a host through a proxy, with the agent's key", () => {
    it("up configures the host; the next preview reads it (proxy, then host) and is clean", async () => {
        const run = await recordUp(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        expect(fs.readFileSync(path.join(host.nixConfDir, "nix.conf"), "utf8")).toContain("!include nix-cache.conf");
        const logins = host.logins();
        const preview = await recordPreviewDiff(engine.stack, engine.transcript, { expectNoChanges: true });
        expect(preview.error, preview.stdout).toBeUndefined();
        // One read: a login to the proxy, and one to the host through it.
        expect(host.logins() - logins).toBe(2);
    }, 180_000);

    it("an edited managed file shows through the proxy too, and up repairs it", async () => {
        fs.appendFileSync(path.join(host.nixConfDir, "nix-cache.conf"), "# edited\n");
        const preview = await recordPreviewDiff(engine.stack, engine.transcript, { expectNoChanges: true });
        expect(preview.error).toBeDefined();
        expect(preview.stdout).toContain("nix-cache.conf differs from the declared content");
        expect((await recordUp(engine.stack, engine.transcript)).error).toBeUndefined();
        expect((await recordPreviewDiff(engine.stack, engine.transcript, { expectNoChanges: true })).error).toBeUndefined();
        expect((await recordDestroy(engine.stack, engine.transcript)).error).toBeUndefined();
    }, 180_000);
});
