import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeSshFailure, runOverSsh } from "../../cli/sshClient";
import { hostCommands } from "../../components/hosts/hostCommands";
import { hostScripts } from "../../components/hosts/hostScripts";
import { parseVerifyReport } from "../../components/hosts/verifyReport";
import { BinaryCache, startBinaryCache } from "../../scripts/localhost/binaryCache";
import { BuilderHost, startBuilderHost } from "../../scripts/localhost/builderHost";
import { deleteStorePath, generateCacheKey } from "../../scripts/localhost/nixStore";
import { freePort } from "../../scripts/localhost/ports";
import { generateSshKey } from "../../scripts/localhost/sshKeys";
import { commandsFor, snapshotDir, testStack } from "./support/hostStack";
import { requireBuilderHost } from "./support/requirements";

// A real builder host: sshd on 127.0.0.1 running this machine's Nix (Debian nix-bin) with an
// isolated NIX_CONF_DIR, and a real signed binary cache served over HTTP that demands the
// token as netrc password. Every command below is the exact command line NixHost hands to
// remote.Command, run over real SSH.

const requirements = requireBuilderHost();
const TOKEN = "tok-first.e2e_0123";
const ROTATED = "tok-second.e2e_4567";
const SUDO_USER = "ncache-e2e-sudo";
const PLAIN_USER = "ncache-e2e-plain";

// The host's own settings, without a final newline, with a relative include of its own.
const OWN_NIX_CONF = "# this host's own settings\ntrusted-users = root alice\ninclude own-extra.conf\nconnect-timeout = 5";
const OWN_EXTRA = "max-jobs = 3\n";

let cache: BinaryCache;
let host: BuilderHost;

beforeAll(async () => {
    if (requirements.skip) {
        return;
    }
    cache = await startBinaryCache({ keyName: "e2e.cachix.org-1", token: TOKEN });
    host = await startBuilderHost({ ownNixConf: OWN_NIX_CONF, users: [{ name: SUDO_USER, sudo: true }, { name: PLAIN_USER, sudo: false }] });
    fs.writeFileSync(path.join(host.nixConfDir, "own-extra.conf"), OWN_EXTRA);
});

afterAll(async () => {
    await host?.remove();
    await cache?.close();
});

const stack = () => testStack({ url: cache.url, publicKey: cache.publicKey, private: true }, host, { kind: "nix", trustedUsers: ["ci"] });

/** `nix-store -r` on the host, through its configuration; the path is removed again after. */
async function substitute(): Promise<{ code: number; output: string }> {
    const result = await host.run("root", `nix-store -r ${cache.storePath} --option narinfo-cache-negative-ttl 0`);
    await deleteStorePath(cache.storePath);
    return { code: result.code, output: result.stdout + result.stderr };
}

async function applyAll(user: string, token: string): Promise<string> {
    const { commands } = commandsFor(stack());
    const apply = await host.run(user, commands.apply);
    expect(apply.stderr).not.toMatch(/error/);
    expect(apply.code).toBe(0);
    const netrc = await host.run(user, commands.netrcApply!, token);
    expect(netrc.code, netrc.stderr).toBe(0);
    return apply.stdout + netrc.stdout;
}

describe.skipIf(requirements.skip)("nix host (non-NixOS, real sshd + Debian nix-bin + real binary cache)", () => {
    it("before apply the host cannot substitute the path", async () => {
        const result = await substitute();
        expect(result.code).not.toBe(0);
    });

    it("apply: Nix reads the declared settings, merged with the host's own, and nix-store -r substitutes from the cache", async () => {
        const output = await applyAll("root", TOKEN);
        expect(output).toMatch(/nix-cache: changed:/);
        expect(output).toMatch(/netrc updated/);

        const conf = fs.readFileSync(path.join(host.nixConfDir, "nix.conf"), "utf8");
        expect(conf.startsWith(`${host.ownNixConf}\n`)).toBe(true);
        expect(conf.trimEnd().split("\n").pop()).toBe("!include nix-cache.conf");
        expect(fs.statSync(path.join(host.nixConfDir, "netrc")).mode & 0o777).toBe(0o600);

        const { commands } = commandsFor(stack());
        const verify = await host.run("root", commands.verify);
        expect(verify.code, verify.stdout + verify.stderr).toBe(0);
        const report = parseVerifyReport(verify.stdout);
        expect(report.drift).toBe(false);
        expect(report.effective.substituters).toEqual([cache.url]);
        expect(report.effective.trustedPublicKeys).toContain(cache.publicKey);
        // extra-trusted-users (known to Nix 2.8) adds to the host's own list.
        expect(report.effective.trustedUsers).toEqual(["root", "alice", "ci"]);

        const result = await substitute();
        expect(result.output).toContain(`copying path '${cache.storePath}' from '${cache.url}'`);
        expect(result.code).toBe(0);
        expect(cache.requests.some((r) => r.endsWith(".narinfo 200"))).toBe(true);
    });

    it("a second apply changes nothing and says so", async () => {
        const before = snapshotDir(host.nixConfDir);
        const output = await applyAll("root", TOKEN);
        expect(output).toMatch(/nix-cache: no change/);
        expect(output).toMatch(/no change: .*netrc already holds this token/);
        expect(snapshotDir(host.nixConfDir)).toEqual(before);
    });

    it("rotating the token rewrites only the netrc, and the new token is the one that works", async () => {
        const before = snapshotDir(host.nixConfDir);
        cache.token = ROTATED;
        const { commands } = commandsFor(stack());
        const netrc = await host.run("root", commands.netrcApply!, ROTATED);
        expect(netrc.code, netrc.stderr).toBe(0);
        expect(netrc.stdout + netrc.stderr).not.toContain(ROTATED);
        const after = snapshotDir(host.nixConfDir);
        const changed = Object.keys(after).filter((file) => JSON.stringify(after[file]) !== JSON.stringify(before[file]));
        expect(changed).toEqual(["netrc"]);
        expect(after["netrc"].content).toBe(`machine 127.0.0.1 password ${ROTATED}\n`);
        expect((await substitute()).code).toBe(0);
    });

    it("with a wrong trusted key declared, the host refuses the cache's path", async () => {
        const wrong = await generateCacheKey(host.dir, "e2e.cachix.org-2");
        const model = testStack({ url: cache.url, publicKey: wrong.publicKey, private: true }, host, { kind: "nix", trustedUsers: ["ci"] });
        const { commands } = commandsFor(model);
        expect((await host.run("root", commands.apply)).code).toBe(0);
        const result = await substitute();
        expect(result.code).not.toBe(0);
        expect(result.output).toMatch(/is not signed by any of the keys in 'trusted-public-keys'/);
        // Back to the right key.
        expect((await host.run("root", commandsFor(stack()).commands.apply)).code).toBe(0);
        expect((await substitute()).code).toBe(0);
    });

    it("a configuration Nix rejects leaves every file on the host unchanged", async () => {
        const { payload, host: spec } = commandsFor(stack());
        const rejected = { ...payload, managedConf: `${payload.managedConf}require-sigs = maybe\n` };
        const commands = hostCommands(hostScripts(rejected), spec.kind);
        const before = snapshotDir(host.nixConfDir);
        const result = await host.run("root", commands.apply);
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/Nix rejects the new configuration, so nothing was changed: .*require-sigs/);
        expect(snapshotDir(host.nixConfDir)).toEqual(before);
    });

    it("destroy restores the original nix.conf byte for byte and removes everything it added", async () => {
        const { commands } = commandsFor(stack());
        expect((await host.run("root", commands.netrcDestroy!)).code).toBe(0);
        const destroy = await host.run("root", commands.destroy);
        expect(destroy.code, destroy.stderr).toBe(0);
        expect(destroy.stdout).toMatch(/undone:/);
        expect(fs.readFileSync(path.join(host.nixConfDir, "nix.conf"), "utf8")).toBe(host.ownNixConf);
        expect(fs.readdirSync(host.nixConfDir).sort()).toEqual(["nix.conf", "own-extra.conf"]);
        const again = await host.run("root", commands.destroy);
        expect(again.stdout).toMatch(/nothing to undo/);
        expect((await substitute()).code).not.toBe(0);
    });

    it("a non-root login with passwordless sudo applies, verifies and destroys (token through sudo's stdin)", async () => {
        const { commands } = commandsFor(stack());
        await applyAll(SUDO_USER, ROTATED);
        const verify = await host.run(SUDO_USER, commands.verify);
        expect(verify.code, verify.stdout).toBe(0);
        expect((await substitute()).code).toBe(0);
        // Files stay root's: sudo ran the script, not the login user.
        expect(fs.statSync(path.join(host.nixConfDir, "netrc")).uid).toBe(0);
        expect((await host.run(SUDO_USER, commands.netrcDestroy!)).code).toBe(0);
        expect((await host.run(SUDO_USER, commands.destroy)).code).toBe(0);
        expect(fs.readFileSync(path.join(host.nixConfDir, "nix.conf"), "utf8")).toBe(host.ownNixConf);
    });

    it("a non-root login without sudo fails with a clear error and changes nothing", async () => {
        const before = snapshotDir(host.nixConfDir);
        const result = await host.run(PLAIN_USER, commandsFor(stack()).commands.apply);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(`nix-cache: error: ${PLAIN_USER}@`);
        expect(result.stderr).toMatch(/cannot run sudo without a password/);
        expect(snapshotDir(host.nixConfDir)).toEqual(before);
    });

    it("kind nixos on this (non-NixOS) host is refused before anything changes", async () => {
        const before = snapshotDir(host.nixConfDir);
        const model = testStack({ url: cache.url, publicKey: cache.publicKey, private: true }, host, { kind: "nixos", trustedUsers: ["ci"] });
        const result = await host.run("root", commandsFor(model).commands.apply);
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/this host is not NixOS \(no \/run\/current-system\/nixos-version\): use kind nix or user/);
        expect(snapshotDir(host.nixConfDir)).toEqual(before);
    });

    it("an unreachable host and a wrong host key fail with clear errors", async () => {
        const unreachable = await runOverSsh({ ...host.target("root"), port: await freePort() }, "true");
        expect(unreachable.code).toBe(255);
        expect(describeSshFailure(unreachable)).toBe("unreachable: connection refused");
        const otherKey = await generateSshKey(path.join(host.dir, "other_host_key"));
        const impostor = await runOverSsh({ ...host.target("root"), hostKey: otherKey }, commandsFor(stack()).commands.apply.line, commandsFor(stack()).commands.apply.stdin);
        expect(impostor.code).toBe(255);
        expect(describeSshFailure(impostor)).toMatch(/^host key mismatch/);
        expect(fs.readFileSync(path.join(host.nixConfDir, "nix.conf"), "utf8")).toBe(host.ownNixConf);
    });

    it("no command line holds the token", () => {
        const { commands } = commandsFor(stack());
        for (const command of Object.values(commands)) {
            expect(command).not.toContain(TOKEN);
            expect(command).not.toContain(ROTATED);
        }
    });
});
