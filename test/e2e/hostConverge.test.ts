import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INCLUDE_LINES, MANAGED_CONF_NAME } from "../../components/hosts/layout";
import { parseVerifyReport } from "../../components/hosts/verifyReport";
import { BuilderHost, startBuilderHost } from "../../scripts/localhost/builderHost";
import { commandsFor, testStack } from "./support/hostStack";
import { requireBuilderHost, requireNamespaces } from "./support/requirements";
import { SYSTEMD_STAND_IN_SOCKET, systemdStandInSetup } from "./support/systemdStandIn";

// An apply acts on what is in effect, not only on which files it changed: a daemon that has not
// read the files as they are is restarted, whether an earlier apply was cut short before its
// restart or ran with restartDaemon false. The host runs real sshd and Nix; systemd is a
// stand-in (systemdStandIn.ts) recording each restart it is asked for.

const requirements = requireBuilderHost(["unshare", "python3"]);
const skip = requirements.skip || requireNamespaces("systemd stand-in").skip;
const KEYS = ["e2e.cachix.org-1:nwFwvaBUbiLCjv87hHeMXDx6QFDlaCTqC4dqc4iLYt4=", "e2e.cachix.org-2:mB9FSh9qf2dCimDSUo8Zy7bkq5CX+/rkCWyvRCYg3Fs="];

let host: BuilderHost;
let work: string;

beforeAll(async () => {
    if (skip) {
        return;
    }
    work = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-converge-"));
    host = await startBuilderHost({ ownNixConf: "", env: { NIX_DAEMON_SOCKET_PATH: SYSTEMD_STAND_IN_SOCKET }, namespaceSetup: systemdStandInSetup(work) });
});

afterAll(async () => {
    await host?.remove();
    if (work !== undefined) {
        fs.rmSync(work, { recursive: true, force: true });
    }
});

const stack = (key: number, restartDaemon: boolean) =>
    testStack({ url: `http://127.0.0.1:${9 + key}`, publicKey: KEYS[key], private: false }, host, { kind: "nix", restartDaemon });

async function restarts(): Promise<number> {
    const calls = (await host.run("root", "cat /run/systemctl.calls 2>/dev/null")).stdout;
    return calls.split("\n").filter((line) => line === "try-restart nix-daemon.service").length;
}

async function daemonCheck(key: number, restartDaemon: boolean): Promise<string | undefined> {
    const verify = await host.run("root", commandsFor(stack(key, restartDaemon)).commands.verify);
    return parseVerifyReport(verify.stdout).checks.find((check) => check.item === "daemon")?.status;
}

describe.skipIf(skip)("apply converges on what is in effect (real sshd + Nix, systemd stand-in)", () => {
    it("restartDaemon false, then true with the same caches, restarts the daemon once", async () => {
        const off = await host.run("root", commandsFor(stack(0, false)).commands.apply);
        expect(off.code, off.stderr).toBe(0);
        expect(await restarts()).toBe(0);
        expect(await daemonCheck(0, false)).toBe("pending");

        const on = await host.run("root", commandsFor(stack(0, true)).commands.apply);
        expect(on.code, on.stderr).toBe(0);
        expect(on.stdout).toMatch(/no change: .* already as declared/);
        expect(on.stdout).toMatch(/restarting nix-daemon: nix-daemon has not been restarted by nix-cache since the files last changed \(its process cannot be seen here\)/);
        expect(await restarts()).toBe(1);
        expect(await daemonCheck(0, true)).toBe("ok");

        expect((await host.run("root", commandsFor(stack(0, true)).commands.apply)).code).toBe(0);
        expect(await restarts()).toBe(1);
    });

    it("an apply killed between writing the files and the restart converges on the next apply", async () => {
        const { commands } = commandsFor(stack(1, true));
        await host.run("root", "touch /run/systemctl.kill");
        const killed = await host.run("root", commands.apply);
        expect(killed.code).not.toBe(0);
        expect(fs.readFileSync(path.join(host.nixConfDir, MANAGED_CONF_NAME), "utf8")).toContain(KEYS[1]);
        expect(await daemonCheck(1, true)).toBe("drift");

        const before = await restarts();
        const apply = await host.run("root", commands.apply);
        expect(apply.code, apply.stderr).toBe(0);
        expect(await restarts()).toBe(before + 1);
        expect(fs.existsSync(path.join(host.nixConfDir, "nix-cache.lock"))).toBe(false);
        const verify = await host.run("root", commands.verify);
        expect(verify.code, verify.stdout).toBe(0);
        expect(parseVerifyReport(verify.stdout).drift).toBe(false);
    });

    it("after `cachix use` rewrote nix.conf with its lines after the include, the same apply repairs the order", async () => {
        const { commands } = commandsFor(stack(1, true));
        const conf = path.join(host.nixConfDir, "nix.conf");
        // As `cachix use` leaves it: its own settings appended after everything, the include included.
        const cachixLines = "substituters = https://other.cachix.org\ntrusted-public-keys = other.cachix.org-1:mB9FSh9qf2dCimDSUo8Zy7bkq5CX+/rkCWyvRCYg3Fs=\n";
        fs.appendFileSync(conf, cachixLines);
        const drifted = parseVerifyReport((await host.run("root", commands.verify)).stdout);
        expect(drifted.checks).toContainEqual({ status: "drift", item: "effective", detail: expect.stringContaining("substituter http://127.0.0.1:10") });

        const before = await restarts();
        const apply = await host.run("root", commands.apply);
        expect(apply.code, apply.stderr).toBe(0);
        expect(apply.stdout).toContain(`changed: ${conf}`);
        expect(fs.readFileSync(conf, "utf8")).toBe(`${host.ownNixConf}${cachixLines}${INCLUDE_LINES.join("\n")}\n`);
        expect(await restarts()).toBe(before + 1);
        const verify = await host.run("root", commands.verify);
        expect(verify.code, verify.stdout).toBe(0);
        expect(parseVerifyReport(verify.stdout).effective.substituters).toEqual(["https://other.cachix.org", "http://127.0.0.1:10"]);
    });

    it("destroy restores the host and restarts the daemon", async () => {
        const before = await restarts();
        expect((await host.run("root", commandsFor(stack(1, true)).commands.destroy)).code).toBe(0);
        // `cachix use` edited nix.conf after the first apply: its lines stay, only nix-cache's go.
        const restored = fs.readFileSync(path.join(host.nixConfDir, "nix.conf"), "utf8");
        expect(restored.startsWith(`${host.ownNixConf}substituters = https://other.cachix.org\n`)).toBe(true);
        expect(restored).not.toContain("nix-cache.conf");
        expect(fs.readdirSync(host.nixConfDir)).toEqual(["nix.conf"]);
        expect(await restarts()).toBe(before + 1);
    });
});
