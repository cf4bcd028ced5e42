import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadStackModel } from "../../components/config/load";
import { HostSpec, StackModel } from "../../components/config/model";
import { hostCommands, HostCommands } from "../../components/hosts/hostCommands";
import { systemHostsOf } from "../../components/hosts/hostOrder";
import { hostScripts } from "../../components/hosts/hostScripts";
import { hostOwner, hostPayload } from "../../components/hosts/payload";
import { parseVerifyReport } from "../../components/hosts/verifyReport";
import { BuilderHost, startBuilderHost } from "../../scripts/localhost/builderHost";
import { NIX_CONF_DIR } from "../../scripts/localhost/hostIdentity";
import { rawConfig } from "../support/config";
import { daemonStandInSetup } from "./support/daemonStandIn";
import { snapshotDir } from "./support/hostStack";
import { requireBuilderHost, requireNamespaces } from "./support/requirements";

// Apply and verify ask the running nix-daemon what it has in effect, over its socket, and
// restart it when it lacks anything declared. The host runs real sshd, Nix and a real
// nix-daemon; only systemd is a stand-in (daemonStandIn.ts), which really restarts the daemon.

const requirements = requireBuilderHost(["unshare", "setsid", "sudo"]);
const skip = requirements.skip || requireNamespaces("systemd stand-in").skip;
const KEY = "e2e.cachix.org-1:nwFwvaBUbiLCjv87hHeMXDx6QFDlaCTqC4dqc4iLYt4=";
const CACHE_URL = "http://127.0.0.1:19";
const CI = "ncache-e2e-ci";
/** An address no daemon lists: a daemon ignores it, with a warning, for a client it does not trust. */
const PROBE = "http://trust-probe.invalid";

let host: BuilderHost;
let work: string;
let stateDir: string;
let socket: string;
let pidFile: string;
let firstConf: string;

beforeAll(async () => {
    if (skip) {
        return;
    }
    work = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-dview-"));
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-dview-host-"));
    const standIn = daemonStandInSetup(work, path.join(stateDir, NIX_CONF_DIR));
    socket = standIn.socket;
    pidFile = standIn.pidFile;
    host = await startBuilderHost({
        dir: stateDir,
        ownNixConf: "trusted-users = root\n",
        users: [{ name: CI, sudo: false }],
        env: { NIX_DAEMON_SOCKET_PATH: socket },
        namespaceSetup: standIn.setup,
    });
    // The host's config dir as it was, for a daemon that never read nix-cache's files.
    firstConf = path.join(work, "first-conf");
    fs.cpSync(host.nixConfDir, firstConf, { recursive: true });
    fs.rmSync(path.join("/home", CI, ".config"), { recursive: true, force: true });
    const started = await host.run("root", "systemctl start nix-daemon.service");
    expect(started.code, started.stderr).toBe(0);
});

afterAll(async () => {
    if (host !== undefined) {
        await host.run("root", "systemctl stop nix-daemon.service");
        await host.remove();
    }
    fs.rmSync(path.join("/home", CI, ".config"), { recursive: true, force: true });
    for (const dir of [work, stateDir]) {
        if (dir !== undefined) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }
});

function model(hosts: Record<string, unknown>[]): StackModel {
    return loadStackModel(
        rawConfig(
            {
                cache: { name: "e2e", url: CACHE_URL, publicKeys: [KEY], private: false },
                useCacheNixosOrg: false,
                hosts: hosts.map((h) => ({ address: "127.0.0.1", port: host.port, hostKey: host.hostKey, ...h })),
            },
            { sshPrivateKey: "unused-here" },
        ),
        { mode: "apply" },
    );
}

const commands = (m: StackModel, spec: HostSpec): HostCommands => hostCommands(hostScripts(hostPayload(m, spec, [], hostOwner("nix-cache", "e2e", spec))), spec.kind);
const system = (restartDaemon: boolean) => model([{ name: "machine", kind: "nix", trustedUsers: [CI], restartDaemon }]);
const systemCommands = (restartDaemon: boolean) => commands(system(restartDaemon), system(restartDaemon).hosts[0]);

async function restarts(): Promise<number> {
    const calls = (await host.run("root", "cat /run/systemctl.calls")).stdout;
    return calls.split("\n").filter((line) => line === "try-restart nix-daemon.service").length;
}

const daemonPid = () => fs.readFileSync(pidFile, "utf8").trim();

/** Asks the daemon directly (Nix's own client, no nix-cache script) whether it trusts `user`. */
async function daemonTrusts(user: string): Promise<boolean> {
    const ping = await host.run(
        user,
        `NIX_CONF_DIR=/nonexistent NIX_USER_CONF_FILES=/nonexistent nix --extra-experimental-features nix-command store ping --store daemon --option substituters ${PROBE}`,
    );
    expect(ping.code, ping.stderr).toBe(0);
    return !ping.stderr.includes(`ignoring untrusted substituter '${PROBE}'`);
}

async function daemonCheck(restartDaemon: boolean) {
    const verify = await host.run("root", systemCommands(restartDaemon).verify);
    return parseVerifyReport(verify.stdout).checks.find((check) => check.item === "daemon");
}

describe.skipIf(skip)("apply and verify ask the running nix-daemon (real sshd + Nix + nix-daemon, systemd stand-in)", () => {
    it("restartDaemon false leaves the daemon without the settings and says so; true restarts it, once", async () => {
        const off = await host.run("root", systemCommands(false).apply);
        expect(off.code, off.stderr).toBe(0);
        expect(off.stdout).toMatch(/pending: .*\(restartDaemon: false\); to use them run: systemctl restart nix-daemon\.service/);
        expect(await restarts()).toBe(0);
        expect(await daemonTrusts(CI)).toBe(false);
        const pending = await daemonCheck(false);
        expect(pending?.status).toBe("pending");
        expect(pending?.detail).toMatch(new RegExp(`asked over its socket, lacks trusted-user ${CI}; substituter ${CACHE_URL}`));

        const pid = daemonPid();
        const on = await host.run("root", systemCommands(true).apply);
        expect(on.code, on.stderr).toBe(0);
        expect(await restarts()).toBe(1);
        expect(daemonPid()).not.toBe(pid);
        expect(await daemonTrusts(CI)).toBe(true);
        expect((await daemonCheck(true))?.status).toBe("ok");

        expect((await host.run("root", systemCommands(true).apply)).code).toBe(0);
        expect(await restarts()).toBe(1);
    });

    it("a daemon restarted by anyone has the files: pending clears without nix-cache's own restart", async () => {
        expect((await host.run("root", systemCommands(true).destroy)).code).toBe(0);
        expect((await host.run("root", systemCommands(false).apply)).code).toBe(0);
        expect((await daemonCheck(false))?.status).toBe("pending");
        const before = await restarts();
        expect((await host.run("root", "systemctl try-restart nix-daemon.service")).code).toBe(0);
        expect((await daemonCheck(false))?.status).toBe("ok");
        expect((await daemonCheck(true))?.status).toBe("ok");
        const apply = await host.run("root", systemCommands(true).apply);
        expect(apply.code, apply.stderr).toBe(0);
        expect(await restarts()).toBe(before + 1);
    });

    it("a daemon running without the files is restarted, though the record of the last restart matches them", async () => {
        await host.run("root", `NC_TEST_DAEMON_CONF=${firstConf} systemctl start nix-daemon.service`);
        expect(await daemonTrusts(CI)).toBe(false);
        expect((await daemonCheck(true))?.status).toBe("drift");

        const before = await restarts();
        const apply = await host.run("root", systemCommands(true).apply);
        expect(apply.code, apply.stderr).toBe(0);
        expect(apply.stdout).toMatch(new RegExp(`restarting nix-daemon: the running nix-daemon, asked over its socket, lacks trusted-user ${CI}; substituter ${CACHE_URL}`));
        expect(await restarts()).toBe(before + 1);
        expect(await daemonTrusts(CI)).toBe(true);
        const verify = await host.run("root", systemCommands(true).verify);
        expect(verify.code, verify.stdout).toBe(0);
    });

    it("a user entry on the same machine runs after the nix entry, which makes the daemon trust the user first", async () => {
        const both = (restartDaemon: boolean) =>
            model([
                { name: "machine", kind: "nix", trustedUsers: [CI], restartDaemon },
                { name: "machine-ci", kind: "user", user: CI },
            ]);
        const m = both(true);
        const userHost = m.hosts.find((h) => h.kind === "user")!;
        // Validation accepts both entries on one address and port, and the component orders them.
        expect(systemHostsOf(userHost, m.hosts).map((h) => h.name)).toEqual(["machine"]);
        const userCommands = commands(m, userHost);
        const userDir = path.join("/home", CI, ".config", "nix");

        // Without the nix entry's trust, the user's apply is refused, changing nothing.
        expect((await host.run("root", systemCommands(true).destroy)).code).toBe(0);
        expect(await daemonTrusts(CI)).toBe(false);
        const early = await host.run(CI, userCommands.apply);
        expect(early.code).toBe(1);
        expect(early.stderr).toMatch(new RegExp(`${CI} is not in the daemon's trusted-users`));
        expect(snapshotDir(userDir)).toEqual({});

        // The nix entry's files trust the user, but a daemon that has not restarted does not.
        expect((await host.run("root", commands(both(false), both(false).hosts[0]).apply)).code).toBe(0);
        const stale = await host.run(CI, userCommands.apply);
        expect(stale.code).toBe(1);
        expect(stale.stderr).toMatch(/asked over its socket, does not trust/);

        // In the component's order: the nix entry (restarting the daemon), then the user's.
        const systemApply = await host.run("root", commands(m, m.hosts[0]).apply);
        expect(systemApply.code, systemApply.stderr).toBe(0);
        const userApply = await host.run(CI, userCommands.apply);
        expect(userApply.code, userApply.stderr).toBe(0);
        const verify = await host.run(CI, userCommands.verify);
        expect(verify.code, verify.stdout).toBe(0);
        expect(parseVerifyReport(verify.stdout).checks).toContainEqual({ status: "ok", item: "trust", detail: expect.any(String) });
        // The system's nix.conf and the user's both list the cache: reported once.
        expect(verify.stdout).toContain(`nix-cache-effective substituters = ${CACHE_URL}\n`);

        expect((await host.run(CI, userCommands.destroy)).code).toBe(0);
        expect((await host.run("root", commands(m, m.hosts[0]).destroy)).code).toBe(0);
        expect(await daemonTrusts(CI)).toBe(false);
    });
});
