import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { doctorExitCode, doctorHost } from "../../cli/doctor";
import { formatDiagnosis } from "../../cli/doctorSteps";
import { BuilderHost, startBuilderHost } from "../../scripts/localhost/builderHost";
import { CacheServer, serveCacheDir } from "../../scripts/localhost/cacheServer";
import { exec, execOk } from "../../scripts/localhost/exec";
import { buildIntoCache, generateCacheKey } from "../../scripts/localhost/nixStore";
import { requireBuilderHost } from "./support/requirements";

// `npm run doctor` against a real builder host (sshd, this machine's Nix behind a real
// nix-daemon with the host's own config) and a real private signed cache over HTTP. Each case
// breaks one step of the guide's troubleshooting on the host; the doctor must name that step.

const requirements = requireBuilderHost(["nix-daemon", "chown"]);
const TOKEN = "doctor-token.e2e_42";
const USER = "ncache-e2e-doctor";

let work: string;
let cache: CacheServer;
let host: BuilderHost;
let daemon: ChildProcess | undefined;
let socket: string;
let keys: { own: string; stranger: string };
let paths: { good: string; stranger: string; absent: string };
let stacksDir: string;
let flake: string;
let system: string;

beforeAll(async () => {
    if (requirements.skip) {
        return;
    }
    work = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-doctor-"));
    fs.chmodSync(work, 0o755);
    socket = path.join(work, "socket");
    const cacheDir = path.join(work, "cache");
    const own = await generateCacheKey(work, "e2e.cachix.org-1");
    const stranger = await generateCacheKey(work, "stranger-1");
    keys = { own: own.publicKey, stranger: stranger.publicKey };
    const nonce = `${process.pid}-${Date.now()}`;
    const drv = (name: string) => `derivation { name = "doctor-${name}-${nonce}"; builder = "/bin/sh"; args = [ "-c" "echo ${name} > $out" ]; system = builtins.currentSystem; }`;
    paths = {
        good: await buildIntoCache(drv("good"), cacheDir, own.secretFile),
        stranger: await buildIntoCache(drv("stranger"), cacheDir, stranger.secretFile),
        absent: `/nix/store/${"0".repeat(32)}-doctor-absent-${nonce}`,
    };
    // A flake whose package is that same derivation: its target evaluates to the good path.
    flake = path.join(work, "flake");
    fs.mkdirSync(flake);
    system = (await execOk("nix", ["--extra-experimental-features", "nix-command", "eval", "--impure", "--raw", "--expr", "builtins.currentSystem"])).trim();
    fs.writeFileSync(path.join(flake, "flake.nix"), `{ outputs = { self }: { packages.${system}.good = ${drv("good").replace("builtins.currentSystem", `"${system}"`)}; }; }\n`);
    cache = await serveCacheDir(cacheDir, { token: () => TOKEN });
    host = await startBuilderHost({ ownNixConf: "", users: [{ name: USER, sudo: false }], env: { NIX_REMOTE: "daemon", NIX_DAEMON_SOCKET_PATH: socket } });
    stacksDir = path.join(work, "stacks");
    fs.mkdirSync(stacksDir);
    const entry = { kind: "nix", address: "127.0.0.1", port: host.port, hostKey: host.hostKey };
    const config = {
        "nix-cache:cache": { name: "e2e", url: cache.url, publicKeys: [own.publicKey], private: true },
        "nix-cache:useCacheNixosOrg": false,
        "nix-cache:hosts": [{ name: "box", ...entry }, { name: "box-user", ...entry, kind: "user", user: USER }],
        "nix-cache:sshPrivateKey": { secure: "v1:ciphertext-never-read" },
        "nix-cache:cachixAuthToken": { secure: "v1:ciphertext-never-read" },
    };
    fs.writeFileSync(path.join(stacksDir, "Pulumi.e2e.yaml"), stringify({ config }));
});

afterAll(async () => {
    await stopDaemon();
    fs.rmSync(`/home/${USER}/.config/nix`, { recursive: true, force: true });
    await host?.remove();
    await cache?.close();
    if (work !== undefined) {
        fs.rmSync(work, { recursive: true, force: true });
    }
});

async function stopDaemon(): Promise<void> {
    const running = daemon;
    daemon = undefined;
    if (running !== undefined && running.exitCode === null) {
        const exited = new Promise((resolve) => running.once("exit", resolve));
        running.kill("SIGTERM");
        await exited;
    }
}

/**
 * The host as one case has it: its system nix.conf (after the machine settings), the user's
 * own nix.conf, and the netrc's token; the daemon restarted to read them, with no memory of
 * earlier narinfo answers.
 */
async function hostWith(system: string, options: { user?: string; token?: string; rootOnlyNetrc?: boolean } = {}): Promise<void> {
    const netrc = path.join(work, "netrc");
    fs.writeFileSync(netrc, `machine 127.0.0.1 password ${options.token ?? TOKEN}\n`);
    // Readable by the non-root login too, unless the case says otherwise: its own Nix asks the cache with it.
    fs.chmodSync(netrc, options.rootOnlyNetrc ? 0o600 : 0o644);
    fs.writeFileSync(path.join(host.nixConfDir, "nix.conf"), `${host.ownNixConf}netrc-file = ${netrc}\n${system}`);
    const userDir = `/home/${USER}/.config/nix`;
    fs.rmSync(userDir, { recursive: true, force: true });
    if (options.user !== undefined) {
        fs.mkdirSync(userDir, { recursive: true });
        fs.writeFileSync(path.join(userDir, "nix.conf"), options.user);
        await execOk("chown", ["-R", `${USER}:`, `/home/${USER}/.config`]);
    }
    await stopDaemon();
    fs.rmSync(socket, { force: true });
    const xdg = fs.mkdtempSync(path.join(work, "daemon-cache-"));
    daemon = spawn("nix-daemon", [], { env: { ...process.env, NIX_CONF_DIR: host.nixConfDir, NIX_DAEMON_SOCKET_PATH: socket, XDG_CACHE_HOME: xdg }, stdio: "ignore" });
    for (let i = 0; i < 100 && !fs.existsSync(socket); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}

const GOOD = () => `substituters = ${cache.url}\ntrusted-public-keys = ${keys.own}\ntrusted-users = root\n`;
const doctor = (hostName: string, storePath: string) => doctorHost("e2e", { stacksDir, host: hostName, storePath, identityFile: host.privateKeyFile });
const firstFinding = (steps: { step: string; status: string }[]) => steps.find((s) => s.status === "finding")?.step;

describe.skipIf(requirements.skip)("npm run doctor (real sshd, nix-daemon and a private signed cache)", () => {
    it("a host set up right: every step ok, and the dry run would fetch the path", async () => {
        await hostWith(GOOD());
        const diagnosis = await doctor("box", paths.good);
        expect(diagnosis.steps.map((s) => `${s.step} ${s.status}`)).toEqual(["substituter ok", "key ok", "trust ok", "cache ok", "path ok", "signature ok", "substitute ok"]);
        expect(diagnosis.steps.at(-1)!.detail).toBe("a dry run would fetch it from a substituter");
        expect(doctorExitCode(diagnosis)).toBe(0);
        // Nothing was fetched: the dry run only asked.
        expect((await exec("nix-store", ["--check-validity", paths.good])).code).not.toBe(0);
    });

    it("substituter missing", async () => {
        await hostWith(`trusted-public-keys = ${keys.own}\n`);
        const diagnosis = await doctor("box", paths.good);
        expect(firstFinding(diagnosis.steps)).toBe("substituter");
        expect(diagnosis.steps[0]).toMatchObject({ detail: `${cache.url} is not in substituters (none); the daemon's own files do not`, fix: expect.stringContaining(`add ${cache.url} to the host's substituters`) });
        expect(diagnosis.steps.at(-1)).toMatchObject({ step: "substitute", status: "finding", detail: "a dry run cannot get it (no substituter offers it)" });
        expect(doctorExitCode(diagnosis)).toBe(1);
    });

    it("key missing", async () => {
        await hostWith(`substituters = ${cache.url}\ntrusted-public-keys = ${keys.stranger}\n`);
        const diagnosis = await doctor("box", paths.good);
        expect(firstFinding(diagnosis.steps)).toBe("key");
        expect(diagnosis.steps[1].detail).toBe("none of the cache's keys (e2e.cachix.org-1) is in trusted-public-keys (stranger-1); the daemon's own files do not");
    });

    it("user untrusted: the cache is only in the user's own settings, which the daemon ignores", async () => {
        await hostWith("trusted-users = root\n", { user: `substituters = ${cache.url}\ntrusted-public-keys = ${keys.own}\n` });
        const diagnosis = await doctor("box-user", paths.good);
        expect(diagnosis.steps.slice(0, 3).map((s) => `${s.step} ${s.status}`)).toEqual(["substituter ok", "key ok", "trust finding"]);
        // The user's view has the cache; the daemon's does not.
        expect(diagnosis.steps[0].detail).toBe(`${cache.url} is in substituters; the daemon's own files do not`);
        expect(diagnosis.steps[2].detail).toBe(`${USER} is not in the daemon's trusted-users (root), and the daemon's own settings lack the cache, so it ignores ${USER}'s`);
        expect(diagnosis.steps.at(-1)!.status).toBe("finding");
    });

    it("user trusted in the files but not by the running daemon, which has not read them since", async () => {
        await hostWith("trusted-users = root\n", { user: `substituters = ${cache.url}\ntrusted-public-keys = ${keys.own}\n` });
        // Trusted in the file now; the daemon read it before, and is not restarted.
        fs.appendFileSync(path.join(host.nixConfDir, "nix.conf"), `trusted-users = root ${USER}\n`);
        const diagnosis = await doctor("box-user", paths.good);
        expect(diagnosis.steps[2]).toMatchObject({ step: "trust", status: "finding", fix: expect.stringContaining("restart nix-daemon") });
        expect(diagnosis.steps[2].detail).toContain("the running nix-daemon, asked over its socket, does not trust");
        // Once the daemon reads its files, the user is trusted, and the running daemon says so.
        await hostWith(`trusted-users = root ${USER}\n`, { user: `substituters = ${cache.url}\ntrusted-public-keys = ${keys.own}\n` });
        const after = await doctor("box-user", paths.good);
        expect(after.steps[2]).toMatchObject({ step: "trust", status: "ok", detail: `${USER} is in the daemon's trusted-users (the running nix-daemon, asked over its socket, agrees)` });
    });

    it("netrc wrong: the cache refuses the host", async () => {
        await hostWith(GOOD(), { token: "not-the-token" });
        const diagnosis = await doctor("box", paths.good);
        expect(firstFinding(diagnosis.steps)).toBe("cache");
        expect(diagnosis.steps[3].fix).toBe(`put the cache's valid token in ${path.join(work, "netrc")} (\`machine 127.0.0.1 password TOKEN\`): set cachixAuthToken and run \`pulumi up\` for host box (it declares the cache there)`);
        expect(diagnosis.steps.slice(4, 6).map((s) => s.status)).toEqual(["skipped", "skipped"]);
        expect(JSON.stringify(diagnosis)).not.toContain("not-the-token");
    });

    it("a netrc only root can read: asked as another user, the doctor says so rather than blame the token", async () => {
        await hostWith(`${GOOD()}trusted-users = root ${USER}\n`, { rootOnlyNetrc: true });
        const diagnosis = await doctor("box-user", paths.good);
        expect(firstFinding(diagnosis.steps)).toBe("cache");
        expect(diagnosis.steps[3].fix).toBe(`${path.join(work, "netrc")} is not readable by ${USER}, so this check could not send its token: run the doctor as a host user that can read it (root)`);
        // The daemon reads it as root, so the host itself still substitutes.
        expect(diagnosis.steps.at(-1)).toMatchObject({ step: "substitute", status: "ok" });
    });

    it("path absent from the cache", async () => {
        await hostWith(GOOD());
        const diagnosis = await doctor("box", paths.absent);
        expect(firstFinding(diagnosis.steps)).toBe("path");
        expect(diagnosis.steps[4].detail).toBe(`${paths.absent} is not in ${cache.url}`);
    });

    it("path signed by another key", async () => {
        await hostWith(GOOD());
        const diagnosis = await doctor("box", paths.stranger);
        expect(firstFinding(diagnosis.steps)).toBe("signature");
        expect(diagnosis.steps[5].detail).toBe("signed only by stranger-1, which the host does not trust (it trusts e2e.cachix.org-1)");
        // The dry run alone would call it fetchable: Nix checks signatures only when it fetches.
        expect(diagnosis.steps[6]).toMatchObject({ status: "finding", detail: "a dry run lists it as fetchable, but Nix refuses it when fetching: no signature by a key it trusts" });
        const fetch = await host.run("root", `nix-store --realise ${paths.stranger}`);
        expect(fetch.code).not.toBe(0);
        expect(fetch.stderr).toMatch(/is not signed by any of the keys in 'trusted-public-keys'/);
        expect(formatDiagnosis(diagnosis.host, diagnosis.storePath, diagnosis.steps)).toMatch(/^First finding: signature\. push it again/m);
    });

    it("a flake target is evaluated here and explained like its path", async () => {
        await hostWith(GOOD());
        const diagnosis = await doctorHost("e2e", { stacksDir, host: "box", flake, target: "good", system, identityFile: host.privateKeyFile });
        expect(diagnosis.storePath).toBe(paths.good);
        expect(doctorExitCode(diagnosis)).toBe(0);
    });

    it("as a command: the report and exit status; usage errors exit 2", async () => {
        await hostWith(GOOD());
        const tsx = path.resolve(__dirname, "../../node_modules/.bin/tsx");
        const cli = path.resolve(__dirname, "../../cli/doctor.ts");
        const base = [cli, "--stack", "e2e", "--stacks-dir", stacksDir, "--host", "box", "--identity", host.privateKeyFile];
        const good = await exec(tsx, [...base, "--path", paths.good]);
        expect(good.code, good.stderr).toBe(0);
        expect(good.stdout).toMatch(/^ {2}ok {7}substitute {2}a dry run would fetch it from a substituter$/m);
        expect(good.stdout.trimEnd().split("\n").pop()).toBe("The host can substitute the path from the cache.");
        const absent = await exec(tsx, [...base, "--path", paths.absent]);
        expect(absent.code).toBe(1);
        expect(absent.stdout).toMatch(/^First finding: path\. push it/m);
        const usage = await exec(tsx, [cli, "--stack", "e2e", "--host", "box"]);
        expect(usage.code).toBe(2);
        expect(usage.stderr).toMatch(/^Give either --path or --flake with --target\.\nUsage: npm run doctor/);
    });
});
