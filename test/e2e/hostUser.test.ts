import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseVerifyReport } from "../../components/hosts/verifyReport";
import { BinaryCache, startBinaryCache } from "../../scripts/localhost/binaryCache";
import { BuilderHost, startBuilderHost } from "../../scripts/localhost/builderHost";
import { execOk } from "../../scripts/localhost/exec";
import { deleteStorePath } from "../../scripts/localhost/nixStore";
import { commandsFor, snapshotDir, testStack } from "./support/hostStack";
import { requireBuilderHost } from "./support/requirements";

// A `user` host: the login user's own ~/.config/nix/nix.conf, no root. Substitution is proven
// through a real nix-daemon (this machine's, on its own socket, with the host's isolated
// config), which is how a trusted user's substituters and netrc take effect.

const requirements = requireBuilderHost(["nix-daemon", "chown"]);
const TOKEN = "user-token.e2e_89";
const TRUSTED = "ncache-e2e-user";
const UNTRUSTED = "ncache-e2e-other";
const OWN_USER_CONF = "# the user's own settings\nkeep-outputs = true\n";

let cache: BinaryCache;
let host: BuilderHost;
let daemon: ChildProcess;
let systemConf: string;
let work: string;

const userConfDir = (user: string) => `/home/${user}/.config/nix`;

beforeAll(async () => {
    if (requirements.skip) {
        return;
    }
    cache = await startBinaryCache({ keyName: "e2e.cachix.org-1", token: TOKEN });
    work = fs.mkdtempSync("/tmp/nix-cache-daemon-");
    fs.chmodSync(work, 0o755);
    const socket = path.join(work, "socket");
    systemConf = `trusted-users = root ${TRUSTED}\n`;
    host = await startBuilderHost({
        ownNixConf: systemConf,
        users: [{ name: TRUSTED, sudo: false }, { name: UNTRUSTED, sudo: false }],
        env: { NIX_REMOTE: "daemon", NIX_DAEMON_SOCKET_PATH: socket },
    });
    daemon = spawn("nix-daemon", [], { env: { ...process.env, NIX_CONF_DIR: host.nixConfDir, NIX_DAEMON_SOCKET_PATH: socket }, stdio: "ignore" });
    for (let i = 0; i < 100 && !fs.existsSync(socket); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const user of [TRUSTED, UNTRUSTED]) {
        fs.rmSync(userConfDir(user), { recursive: true, force: true });
        fs.mkdirSync(userConfDir(user), { recursive: true });
        fs.writeFileSync(path.join(userConfDir(user), "nix.conf"), OWN_USER_CONF);
        await execOk("chown", ["-R", `${user}:`, `/home/${user}/.config`]);
    }
});

afterAll(async () => {
    daemon?.kill("SIGTERM");
    for (const user of [TRUSTED, UNTRUSTED]) {
        fs.rmSync(`/home/${user}/.config`, { recursive: true, force: true });
    }
    await host?.remove();
    await cache?.close();
    if (work !== undefined) {
        fs.rmSync(work, { recursive: true, force: true });
    }
});

const stack = () => testStack({ url: cache.url, publicKey: cache.publicKey, private: true }, host, { kind: "user", user: TRUSTED });

async function substituteAs(user: string): Promise<{ code: number; output: string }> {
    const result = await host.run(user, `nix-store -r ${cache.storePath} --option narinfo-cache-negative-ttl 0`);
    await deleteStorePath(cache.storePath);
    return { code: result.code, output: result.stdout + result.stderr };
}

describe.skipIf(requirements.skip)("user host (the login user's nix.conf, real sshd + nix-daemon + binary cache)", () => {
    it("apply writes only the user's config dir, and the user substitutes through the daemon", async () => {
        expect((await substituteAs(TRUSTED)).code).not.toBe(0);
        const { commands } = commandsFor(stack());
        const apply = await host.run(TRUSTED, commands.apply);
        expect(apply.code, apply.stderr).toBe(0);
        const netrc = await host.run(TRUSTED, commands.netrcApply!, TOKEN);
        expect(netrc.code, netrc.stderr).toBe(0);

        const dir = userConfDir(TRUSTED);
        expect(fs.readFileSync(path.join(dir, "nix-cache.conf"), "utf8")).toContain(`netrc-file = ${dir}/netrc`);
        expect(fs.statSync(path.join(dir, "netrc")).uid).toBe(fs.statSync(dir).uid);
        expect(fs.readFileSync(path.join(host.nixConfDir, "nix.conf"), "utf8")).toBe(host.ownNixConf);

        const verify = await host.run(TRUSTED, commands.verify);
        expect(verify.code, verify.stdout).toBe(0);
        expect(parseVerifyReport(verify.stdout).effective.substituters).toEqual([cache.url]);

        const result = await substituteAs(TRUSTED);
        expect(result.output).toContain(`copying path '${cache.storePath}' from '${cache.url}'`);
        expect(result.code).toBe(0);
    });

    it("a second apply changes nothing", async () => {
        const before = snapshotDir(userConfDir(TRUSTED));
        const { commands } = commandsFor(stack());
        expect((await host.run(TRUSTED, commands.apply)).stdout).toMatch(/nix-cache: no change/);
        expect((await host.run(TRUSTED, commands.netrcApply!, TOKEN)).stdout).toMatch(/no change/);
        expect(snapshotDir(userConfDir(TRUSTED))).toEqual(before);
    });

    it("a user the daemon does not trust is refused before anything changes", async () => {
        const model = testStack({ url: cache.url, publicKey: cache.publicKey, private: true }, host, { kind: "user", user: UNTRUSTED });
        const before = snapshotDir(userConfDir(UNTRUSTED));
        const result = await host.run(UNTRUSTED, commandsFor(model).commands.apply);
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(new RegExp(`${UNTRUSTED} is not in the daemon's trusted-users .* nothing was changed`));
        expect(snapshotDir(userConfDir(UNTRUSTED))).toEqual(before);
    });

    it("destroy restores the user's nix.conf byte for byte", async () => {
        const { commands } = commandsFor(stack());
        expect((await host.run(TRUSTED, commands.netrcDestroy!)).code).toBe(0);
        const destroy = await host.run(TRUSTED, commands.destroy);
        expect(destroy.code, destroy.stderr).toBe(0);
        expect(fs.readdirSync(userConfDir(TRUSTED))).toEqual(["nix.conf"]);
        expect(fs.readFileSync(path.join(userConfDir(TRUSTED), "nix.conf"), "utf8")).toBe(OWN_USER_CONF);
        expect((await substituteAs(TRUSTED)).code).not.toBe(0);
    });
});
