import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseVerifyReport } from "../../components/hosts/verifyReport";
import { BinaryCache, startBinaryCache } from "../../scripts/localhost/binaryCache";
import { BuilderHost, startBuilderHost } from "../../scripts/localhost/builderHost";
import { NIX_CONF_DIR } from "../../scripts/localhost/hostIdentity";
import { ensureNixRoot, NIX_ROOT_RELEASES, NixRootRelease } from "../../scripts/localhost/nixRoots";
import { daemonStandInSetup } from "./support/daemonStandIn";
import { commandsFor, snapshotDir, testStack } from "./support/hostStack";
import { requireBuilderHost, requireNamespaces } from "./support/requirements";

// The same host scripts against each Nix version Debian ships: a builder host whose sshd,
// Nix, store and nix-daemon come from a Debian root of that release (scripts/nixroots.sh,
// built once and reused). Its daemon runs first under the systemd stand-in, then started by
// hand with no service manager; the binary cache is served from this machine on 127.0.0.1.

const requirements = requireBuilderHost(["unshare", "setsid", "chroot", "debootstrap"]);
const skip = requirements.skip || requireNamespaces("Debian roots of other releases").skip;
const TOKEN = "tok-first.e2e_0123";
const ROTATED = "tok-second.e2e_4567";
/** A cache address nothing listens on: only declared, never fetched from. */
const OTHER_URL = "http://127.0.0.1:19";
/** A first build of a root downloads and installs about 150 packages. */
const ROOT_BUILD_MS = 15 * 60 * 1000;

/** Starts the root's nix-daemon as a person would, printing its process id. */
const START_BY_HAND = "setsid nix-daemon </dev/null >/dev/null 2>&1 & echo $!";
const stopByHand = (pid: string) => `kill ${pid}; while kill -0 ${pid} 2>/dev/null; do sleep 0.1; done; rm -f "$NIX_DAEMON_SOCKET_PATH"`;

let cache: BinaryCache;

beforeAll(async () => {
    if (!skip) {
        cache = await startBinaryCache({ keyName: "e2e.cachix.org-1", token: TOKEN });
    }
});

afterAll(async () => {
    await cache?.close();
});

describe.skipIf(skip).each(Object.keys(NIX_ROOT_RELEASES) as NixRootRelease[])("Nix of Debian %s (real sshd + Nix + nix-daemon in a Debian root)", (release) => {
    let host: BuilderHost;
    let work: string;
    let stateDir: string;
    let pidFile: string;
    /** The nix-daemon started by hand, once there is one. */
    let manualPid: string | undefined;

    beforeAll(async () => {
        const root = await ensureNixRoot(release);
        work = fs.mkdtempSync(path.join(os.tmpdir(), `nix-cache-nixver-${release}-`));
        stateDir = fs.mkdtempSync(path.join(os.tmpdir(), `nix-cache-nixver-${release}-host-`));
        const standIn = daemonStandInSetup(work, path.join(stateDir, NIX_CONF_DIR));
        pidFile = standIn.pidFile;
        host = await startBuilderHost({
            dir: stateDir,
            ownNixConf: "# this host's own settings\ntrusted-users = root\n",
            env: { NIX_DAEMON_SOCKET_PATH: standIn.socket },
            namespaceSetup: standIn.setup,
            root: { dir: root, binds: [work] },
        });
        cache.token = TOKEN;
        const started = await host.run("root", "systemctl start nix-daemon.service");
        expect(started.code, started.stderr).toBe(0);
    }, ROOT_BUILD_MS);

    afterAll(async () => {
        if (host !== undefined) {
            await host.run("root", `systemctl stop nix-daemon.service; ${manualPid === undefined ? "" : stopByHand(manualPid)}`);
            await host.remove();
        }
        for (const dir of [work, stateDir]) {
            if (dir !== undefined) {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        }
    });

    /** The exact command lines NixHost runs for the cache at `url` (the test cache's unless given). */
    const commands = (url = cache.url) => commandsFor(testStack({ url, publicKey: cache.publicKey, private: true }, host, { kind: "nix" })).commands;

    /** The cache's path through the host's daemon, which is removed again after. */
    async function substitute(): Promise<{ code: number; output: string }> {
        const result = await host.run("root", `nix-store --store daemon -r ${cache.storePath} --option narinfo-cache-negative-ttl 0`);
        await host.run("root", `nix-store --store daemon --delete ${cache.storePath}`);
        return { code: result.code, output: result.stdout + result.stderr };
    }

    async function verify(url = cache.url) {
        const result = await host.run("root", commands(url).verify);
        expect(result.code, result.stdout + result.stderr).toBe(0);
        return parseVerifyReport(result.stdout).checks;
    }

    it(`runs Nix ${NIX_ROOT_RELEASES[release]}`, async () => {
        const version = await host.run("root", "nix --version");
        expect(version.stdout).toMatch(new RegExp(`^nix \\(Nix\\) ${NIX_ROOT_RELEASES[release].replace(".", "\\.")}\\.`));
    });

    it("apply restarts the daemon, which then substitutes from the private cache; verify is green", async () => {
        expect((await substitute()).code).not.toBe(0);
        const pid = fs.readFileSync(pidFile, "utf8");
        const apply = await host.run("root", commands().apply);
        expect(apply.code, apply.stderr).toBe(0);
        expect(apply.stdout).toContain("restarting nix-daemon: the files changed");
        expect(apply.stdout).not.toContain("not asking nix-daemon");
        const netrc = await host.run("root", commands().netrcApply!, TOKEN);
        expect(netrc.code, netrc.stderr).toBe(0);
        expect(fs.readFileSync(pidFile, "utf8")).not.toBe(pid);
        expect((await verify()).filter((check) => check.status !== "ok")).toEqual([]);
        const result = await substitute();
        expect(result.code, result.output).toBe(0);
        // The next apply changes nothing.
        const before = snapshotDir(host.nixConfDir);
        const again = await host.run("root", commands().apply);
        expect(again.stdout).toMatch(/nix-cache: no change/);
        expect(snapshotDir(host.nixConfDir)).toEqual(before);
    });

    it("rotating the token rewrites only the netrc, and the daemon uses the new one", async () => {
        const before = snapshotDir(host.nixConfDir);
        cache.token = ROTATED;
        const netrc = await host.run("root", commands().netrcApply!, ROTATED);
        expect(netrc.code, netrc.stderr).toBe(0);
        const after = snapshotDir(host.nixConfDir);
        expect(Object.keys(after).filter((file) => JSON.stringify(after[file]) !== JSON.stringify(before[file]))).toEqual(["netrc"]);
        const result = await substitute();
        expect(result.code, result.output).toBe(0);
    });

    it("a daemon started by hand, with no service manager: pending with the command, green once restarted", async () => {
        const handOver = await host.run("root", `systemctl stop nix-daemon.service && rm -r /run/systemd || exit 1; ${START_BY_HAND}`);
        expect(handOver.code, handOver.stderr).toBe(0);
        let pid = (manualPid = handOver.stdout.trim());
        await waitForDaemon();
        // Another cache, then this one again: each time the running daemon, asked over its
        // socket, lacks the substituter until it is restarted by hand.
        for (const url of [OTHER_URL, cache.url]) {
            const apply = await host.run("root", commands(url).apply);
            expect(apply.code, apply.stderr).toBe(0);
            const advice = `and no service manager nix-cache knows runs it; to use them run: kill ${pid}, then start it again as before (nix-daemon)`;
            expect(apply.stdout).toContain(`pending: the files changed, ${advice}`);
            expect(apply.stdout).not.toContain("not asking nix-daemon");
            expect((await verify(url)).find((check) => check.item === "daemon")).toEqual({
                status: "pending",
                item: "daemon",
                detail: `the running nix-daemon, asked over its socket, lacks substituter ${url}, ${advice}`,
            });
            const restarted = await host.run("root", `${stopByHand(pid)}; ${START_BY_HAND}`);
            expect(restarted.code, restarted.stderr).toBe(0);
            pid = manualPid = restarted.stdout.trim();
            await waitForDaemon();
            expect((await verify(url)).filter((check) => check.status !== "ok")).toEqual([]);
        }
        expect((await substitute()).code).toBe(0);
    });

    it("destroy restores nix.conf byte for byte and removes everything it added", async () => {
        expect((await host.run("root", commands().netrcDestroy!)).code).toBe(0);
        const destroy = await host.run("root", commands().destroy);
        expect(destroy.code, destroy.stderr).toBe(0);
        expect(destroy.stdout).toMatch(/undone:/);
        expect(fs.readFileSync(path.join(host.nixConfDir, "nix.conf"), "utf8")).toBe(host.ownNixConf);
        expect(fs.readdirSync(host.nixConfDir)).toEqual(["nix.conf"]);
        expect((await host.run("root", commands().destroy)).stdout).toMatch(/nothing to undo/);
    });

    async function waitForDaemon(): Promise<void> {
        const wait = await host.run("root", 'i=0; until [ -S "$NIX_DAEMON_SOCKET_PATH" ]; do i=$((i + 1)); [ $i -lt 100 ] || exit 1; sleep 0.1; done');
        expect(wait.code, "the nix-daemon started by hand did not listen").toBe(0);
    }
});
