import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SshResult } from "../../cli/sshClient";
import { hostScripts } from "../../components/hosts/hostScripts";
import { INCLUDE_LINES, LOCK_NAME, LOCK_WAIT_SECONDS, MANAGED_CONF_NAME } from "../../components/hosts/layout";
import { hostCommands, RemoteRun } from "../../components/hosts/hostCommands";
import { parseVerifyReport } from "../../components/hosts/verifyReport";
import { BuilderHost, startBuilderHost } from "../../scripts/localhost/builderHost";
import { commandsFor, snapshotDir, testStack } from "./support/hostStack";
import { requireBuilderHost } from "./support/requirements";

// One host, many runs at once: every apply, destroy and verify holds the config dir's lock, so
// runs take turns; a lock whose holder is gone is taken over, one whose holder lives is waited
// for and then refused with nothing changed.

const requirements = requireBuilderHost();
const OWN_NIX_CONF = "# own settings\nconnect-timeout = 7\n";
const KEYS = ["e2e.cachix.org-1:nwFwvaBUbiLCjv87hHeMXDx6QFDlaCTqC4dqc4iLYt4=", "e2e.cachix.org-2:mB9FSh9qf2dCimDSUo8Zy7bkq5CX+/rkCWyvRCYg3Fs="];
const RUNS = 24;

let host: BuilderHost;

beforeAll(async () => {
    if (requirements.skip) {
        return;
    }
    host = await startBuilderHost({ ownNixConf: OWN_NIX_CONF });
});

afterAll(async () => {
    await host?.remove();
});

const stacks = KEYS.map((key, i) => () => testStack({ url: `http://127.0.0.1:${9 + i}`, publicKey: key, private: false }, host, { kind: "nix" }));
const commands = (i: number) => commandsFor(stacks[i]()).commands;
const confFile = () => path.join(host.nixConfDir, "nix.conf");
const lockFile = () => path.join(host.nixConfDir, LOCK_NAME);
/** Stack i's command for `role`, waiting 2 s for the lock instead of the usual wait: as on a host whose lock is held longer. */
function impatient(i: number, role: "apply" | "destroy" | "verify"): RemoteRun {
    const script = hostScripts(commandsFor(stacks[i]()).payload)[role];
    expect(script).toContain(`NC_LOCK_WAIT='${LOCK_WAIT_SECONDS}'`);
    const scripts = hostScripts(commandsFor(stacks[i]()).payload);
    return hostCommands({ ...scripts, [role]: script.replace(`NC_LOCK_WAIT='${LOCK_WAIT_SECONDS}'`, "NC_LOCK_WAIT='2'") }, "nix")[role];
}

/** Whether a run ended cleanly: applied, undone, or refused by the lock with nothing changed. */
function clean(result: SshResult): boolean {
    if (result.code === 0) {
        return !/error/.test(result.stderr);
    }
    return result.code === 1 && /another nix-cache run \(process .*\) has held .* so nothing was changed/.test(result.stderr);
}

describe.skipIf(requirements.skip)("one host, many runs at once (real sshd + Nix)", () => {
    it(`${RUNS} concurrent applies and destroys of two stacks' settings leave the host consistent`, async () => {
        const ops = Array.from({ length: RUNS }, (_, i) => (i % 6 === 5 ? commands(0).destroy : commands(i % 2).apply));
        const results = await Promise.all(ops.map((op) => host.run("root", op)));
        expect(results.filter((r) => !clean(r)).map((r) => `${r.code}: ${r.stderr}`)).toEqual([]);
        expect(results.filter((r) => r.code === 0).length).toBeGreaterThan(0);

        // Consistent: as before nix-cache, or one of the two settings in full, with the original kept.
        const conf = fs.readFileSync(confFile(), "utf8");
        if (conf === host.ownNixConf) {
            expect(fs.readdirSync(host.nixConfDir)).toEqual(["nix.conf"]);
        } else {
            expect(conf).toBe(`${host.ownNixConf}${INCLUDE_LINES.join("\n")}\n`);
            expect(fs.readFileSync(path.join(host.nixConfDir, "nix-cache.backup", "nix.conf"), "utf8")).toBe(host.ownNixConf);
            const managed = fs.readFileSync(path.join(host.nixConfDir, MANAGED_CONF_NAME), "utf8");
            const which = KEYS.findIndex((key) => managed.includes(key));
            const verify = await host.run("root", commands(which).verify);
            expect(verify.code, verify.stdout).toBe(0);
            expect(parseVerifyReport(verify.stdout).effective.trustedPublicKeys).toContain(KEYS[which]);
        }
        expect(fs.readdirSync(host.nixConfDir).filter((f) => f.includes("nix-cache-tmp") || f.startsWith(LOCK_NAME))).toEqual([]);

        // Whatever order they ran in, one destroy gives the host back as it was, byte for byte.
        expect((await host.run("root", commands(0).destroy)).code).toBe(0);
        expect(fs.readFileSync(confFile(), "utf8")).toBe(host.ownNixConf);
        expect(fs.readdirSync(host.nixConfDir)).toEqual(["nix.conf"]);
    });

    it("a lock held by a live run is waited for, then the apply is refused with nothing changed", async () => {
        const holder = spawn("sleep", ["60"], { stdio: "ignore" });
        try {
            fs.symlinkSync(`${holder.pid}@${os.hostname()}`, lockFile());
            const before = snapshotDir(host.nixConfDir);
            const result = await host.run("root", impatient(0, "apply"));
            expect(result.code).toBe(1);
            expect(result.stderr).toContain(`another nix-cache run (process ${holder.pid}@${os.hostname()}) has held ${lockFile()} for over 2s, so nothing was changed`);
            expect(snapshotDir(host.nixConfDir)).toEqual(before);
            expect(fs.readlinkSync(lockFile())).toBe(`${holder.pid}@${os.hostname()}`);
        } finally {
            holder.kill("SIGKILL");
            fs.rmSync(lockFile(), { force: true });
        }
    });

    it("the lock and temporary files of a run that was killed are removed, and the next run applies", async () => {
        const gone = spawn("true", [], { stdio: "ignore" });
        await new Promise((resolve) => gone.once("exit", resolve));
        fs.symlinkSync(`${gone.pid}@${os.hostname()}`, lockFile());
        const leftover = `${confFile()}.nix-cache-tmp.${gone.pid}`;
        fs.writeFileSync(leftover, "half-written by the killed run\n");
        const result = await host.run("root", impatient(1, "apply"));
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toContain(`removed the lock of nix-cache process ${gone.pid}@${os.hostname()}, which no longer runs`);
        expect(fs.existsSync(leftover)).toBe(false);
        expect(fs.existsSync(lockFile())).toBe(false);
        expect((await host.run("root", commands(1).verify)).code).toBe(0);
        expect((await host.run("root", commands(1).destroy)).code).toBe(0);
        expect(fs.readFileSync(confFile(), "utf8")).toBe(host.ownNixConf);
    });

    it("verify and destroy wait for the lock too", async () => {
        const holder = spawn("sleep", ["60"], { stdio: "ignore" });
        try {
            fs.symlinkSync(`${holder.pid}@${os.hostname()}`, lockFile());
            for (const role of ["verify", "destroy"] as const) {
                const result = await host.run("root", impatient(0, role));
                expect(result.code).toBe(1);
                expect(result.stderr).toContain(`has held ${lockFile()} for over 2s`);
            }
        } finally {
            holder.kill("SIGKILL");
            fs.rmSync(lockFile(), { force: true });
        }
    });
});
