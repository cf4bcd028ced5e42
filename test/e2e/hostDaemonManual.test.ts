import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseVerifyReport } from "../../components/hosts/verifyReport";
import { BuilderHost, startBuilderHost } from "../../scripts/localhost/builderHost";
import { commandsFor, testStack } from "./support/hostStack";
import { requireBuilderHost } from "./support/requirements";

// A real nix-daemon that no service manager runs (a container, WSL without systemd, a daemon
// started by hand): nix-cache cannot restart it, so apply and verify both say `pending`, with
// the one command to run; once anyone restarts it, both are green, and the project's own
// restart record plays no part. Without any daemon, nothing is pending.

const requirements = requireBuilderHost(["setsid"]);
const KEY = "e2e.cachix.org-1:nwFwvaBUbiLCjv87hHeMXDx6QFDlaCTqC4dqc4iLYt4=";
const CACHE_URL = "http://127.0.0.1:19";

let host: BuilderHost;
let work: string;
let socket: string;
let daemon: ChildProcess | undefined;

/** Starts this machine's nix-daemon on the host's config dir and socket, as a person would. */
async function startDaemon(): Promise<number> {
    daemon = spawn("nix-daemon", [], {
        env: { ...process.env, NIX_CONF_DIR: host.nixConfDir, NIX_DAEMON_SOCKET_PATH: socket },
        stdio: "ignore",
        detached: true,
    });
    for (let i = 0; i < 100 && !fs.existsSync(socket); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(fs.existsSync(socket)).toBe(true);
    return daemon.pid!;
}

async function stopDaemon(): Promise<void> {
    const running = daemon;
    daemon = undefined;
    if (running === undefined || running.exitCode !== null) {
        return;
    }
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill();
    await exited;
    fs.rmSync(socket, { force: true });
}

beforeAll(async () => {
    if (requirements.skip) {
        return;
    }
    work = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-dmanual-"));
    fs.chmodSync(work, 0o755);
    socket = path.join(work, "socket");
    host = await startBuilderHost({ ownNixConf: "trusted-users = root\n", env: { NIX_DAEMON_SOCKET_PATH: socket } });
});

afterAll(async () => {
    await stopDaemon();
    await host?.remove();
    if (work !== undefined) {
        fs.rmSync(work, { recursive: true, force: true });
    }
});

const commands = () => commandsFor(testStack({ url: CACHE_URL, publicKey: KEY, private: false }, host, { kind: "nix" })).commands;

async function daemonCheck() {
    const verify = await host.run("root", commands().verify);
    expect(verify.code, verify.stdout).toBe(0);
    return parseVerifyReport(verify.stdout).checks.find((check) => check.item === "daemon");
}

describe.skipIf(requirements.skip)("a nix-daemon no service manager runs (real sshd + Nix + nix-daemon)", () => {
    it("apply and verify both say pending, with the one command to run; the daemon restarted by hand clears it", async () => {
        const pid = await startDaemon();
        const apply = await host.run("root", commands().apply);
        expect(apply.code, apply.stderr).toBe(0);
        const advice = `and no service manager nix-cache knows runs it; to use them run: kill ${pid}, then start it again as before (nix-daemon)`;
        expect(apply.stdout).toContain(`pending: the files changed, ${advice}`);
        const pending = await daemonCheck();
        expect(pending).toEqual({
            status: "pending",
            item: "daemon",
            detail: expect.stringMatching(new RegExp(`^the running nix-daemon, asked over its socket, lacks substituter ${CACHE_URL}, ${advice.replace(/[()]/g, "\\$&")}$`)),
        });
        // The next apply changes nothing and says the same.
        const again = await host.run("root", commands().apply);
        expect(again.code, again.stderr).toBe(0);
        expect(again.stdout).toContain(advice);
        expect(again.stdout).toContain("no change");

        await stopDaemon();
        await startDaemon();
        expect(await daemonCheck()).toEqual({ status: "ok", item: "daemon", detail: "the running nix-daemon has the files as they are" });
        const converged = await host.run("root", commands().apply);
        expect(converged.code, converged.stderr).toBe(0);
        expect(converged.stdout).not.toContain("pending");
    });

    it("a daemon that started before the files last changed is pending, though it can tell nothing is missing", async () => {
        // An edit that changes no setting the daemon can be asked about: only its start time tells.
        await new Promise((resolve) => setTimeout(resolve, 2100));
        const conf = path.join(host.nixConfDir, "nix.conf");
        fs.writeFileSync(conf, `# edited by hand\n${fs.readFileSync(conf, "utf8")}`);
        const stale = `nix-daemon (process ${daemon!.pid}) started before ${conf} last changed, so it has not read it`;
        const check = await daemonCheck();
        expect(check?.status).toBe("pending");
        expect(check?.detail).toContain(stale);
        // Apply keeps the edit (the host's own line), and says the same.
        const apply = await host.run("root", commands().apply);
        expect(apply.stdout).toContain(`pending: ${stale}`);
        await stopDaemon();
        await startDaemon();
        expect((await daemonCheck())?.status).toBe("ok");
    });

    it("without any daemon, nothing is pending: Nix reads the files directly", async () => {
        await stopDaemon();
        expect(await daemonCheck()).toEqual({ status: "ok", item: "daemon", detail: `no nix-daemon listens on ${socket}: Nix reads the files directly (checked above)` });
        const apply = await host.run("root", commands().apply);
        expect(apply.code, apply.stderr).toBe(0);
        expect(apply.stdout).not.toContain("pending");
        expect((await host.run("root", commands().destroy)).code).toBe(0);
    });
});
