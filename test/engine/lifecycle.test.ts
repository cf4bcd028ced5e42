import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BinaryCache, startBinaryCache } from "../../scripts/localhost/binaryCache";
import { BuilderHost, startBuilderHost } from "../../scripts/localhost/builderHost";
import { EngineRun, recordDestroy, recordPreview, recordUp } from "../../scripts/localhost/engine/engineRun";
import { createEngineStack, EngineConfig, engineConfig, EngineStack, hostEntry } from "../../scripts/localhost/engine/engineStack";
import { outputsInState } from "./support/engineState";
import { hostFiles, snapshotDir, touchedFiles } from "./support/hostChecks";
import { substituteOnHost } from "../../scripts/localhost/engine/hostSubstitute";
import { filesUnder, plaintextHits, stackAndHostPlaces } from "./support/plaintext";
import { requireEngine } from "./support/requirements";

// The real Pulumi engine (the pinned `pulumi` CLI, the command provider plugin) runs the
// project's program inline against a real builder host (sshd + Debian's Nix) and real binary
// caches. Each step reads what changed from the engine itself (its summary and step events),
// what ran on the host from sshd's log, and what the host does from Nix.

const requirements = requireEngine();
const TOKEN = "engine-token.first_7f3a9c";
const ROTATED = "engine-token.second_b81d4e";
// The host's own settings, without a final newline (destroy must give back exactly these bytes).
const OWN_NIX_CONF = "# this host's own settings\ntrusted-users = root alice\nconnect-timeout = 5";
// The stack's resources: the stack, CacheSetup, CacheIdentity, NixHost, its handshake gate (passes
// when the run's read reached the host) and probe (before its commands are deleted), and its
// three commands.
const RESOURCES = 9;

let cache: BinaryCache;
let extra: BinaryCache;
let host: BuilderHost;
let engine: EngineStack;
let original: ReturnType<typeof hostFiles>;
let extraCacheRun: EngineRun | undefined;

const nixHost = "nix-cache-host-builder";
const settings = "nix-cache-host-builder-settings";
const netrc = "nix-cache-host-builder-netrc";
const verify = "nix-cache-host-builder-verify";

function config(overrides: Partial<EngineConfig> = {}, entry: Record<string, unknown> = {}): EngineConfig {
    return {
        cache: { url: cache.url, publicKey: cache.publicKey, private: true },
        hosts: [hostEntry("builder", host, { trustedUsers: ["ci"], ...entry })],
        cachixAuthToken: TOKEN,
        privateKeys: { sshPrivateKey: host.privateKey },
        ...overrides,
    };
}

beforeAll(async () => {
    if (requirements.skip) {
        return;
    }
    cache = await startBinaryCache({ keyName: "engine.cachix.org-1", token: TOKEN });
    extra = await startBinaryCache({ keyName: "extra.example.org-1" });
    engine = await createEngineStack("lifecycle");
    host = await startBuilderHost({ dir: path.join(engine.root, "host"), ownNixConf: OWN_NIX_CONF });
    original = hostFiles(host);
    await engine.stack.setAllConfig(engineConfig(config()));
});

afterAll(async () => {
    await host?.remove();
    await engine?.remove();
    await cache?.close();
    await extra?.close();
});

describe.skipIf(requirements.skip)("engine lifecycle on a real host (pulumi CLI, inline program, command provider over SSH)", () => {
    it("up creates every resource, configures the host, and the host substitutes from the private cache", async () => {
        expect((await substituteOnHost(host, cache.storePath)).code).not.toBe(0);
        const logins = host.logins();

        const run = await recordUp(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        expect(run.summary.result).toBe("succeeded");
        expect(run.summary.resourceChanges).toEqual({ create: RESOURCES });
        expect(run.outputs?.substituters.value).toEqual([cache.url]);
        // The read, then settings, netrc and verify: one SSH login each.
        expect(host.logins() - logins).toBe(4);
        // The NixHost's outputs are what the host reported back.
        const outputs = await outputsInState(engine.stack, "nix-cache:index:NixHost", nixHost);
        expect(outputs["effectiveSubstituters"]).toEqual([cache.url]);
        expect(outputs["effectiveTrustedPublicKeys"]).toContain(cache.publicKey);
        expect(outputs["effectiveTrustedUsers"]).toEqual(["root", "alice", "ci"]);

        const conf = fs.readFileSync(path.join(host.nixConfDir, "nix.conf"), "utf8");
        expect(conf.startsWith(`${host.ownNixConf}\n`)).toBe(true);
        expect(conf.trimEnd().split("\n").pop()).toBe("!include nix-cache.conf");
        expect(fs.readFileSync(path.join(host.nixConfDir, "nix-cache.conf"), "utf8")).toContain(`extra-substituters = ${cache.url}`);
        expect(fs.statSync(path.join(host.nixConfDir, "netrc")).mode & 0o777).toBe(0o600);

        const fetched = await substituteOnHost(host, cache.storePath);
        expect(fetched.output).toContain(`copying path '${cache.storePath}' from '${cache.url}'`);
        expect(fetched.code).toBe(0);
    }, 120_000);

    it("an up with nothing changed only reads the host (one login), changes no resource, and touches no file", async () => {
        const before = snapshotDir(host.nixConfDir);
        const logins = host.logins();
        const run = await recordUp(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        expect(run.summary.resourceChanges).toEqual({ same: RESOURCES });
        expect(run.changed).toEqual({});
        expect(host.logins() - logins).toBe(1);
        expect(touchedFiles(before, snapshotDir(host.nixConfDir))).toEqual([]);
    }, 120_000);

    it("after `cachix use` appended its lines below the include, the next up repairs the order, without --replace", async () => {
        const conf = path.join(host.nixConfDir, "nix.conf");
        const cachixLines = "substituters = https://other.cachix.org\n";
        fs.appendFileSync(conf, cachixLines);
        const run = await recordUp(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        // In place: the read saw it, so the settings command runs apply again, which repairs the file; verify after it.
        expect(run.changed).toEqual({ [settings]: ["update"], [verify]: ["update"] });
        expect(fs.readFileSync(conf, "utf8")).toBe(`${host.ownNixConf}\n${cachixLines}# Added by nix-cache: the settings in nix-cache.conf extend those above. Removed on destroy.\n!include nix-cache.conf\n`);
        // Back to the host as the test began, for the byte-for-byte checks that follow.
        fs.writeFileSync(conf, fs.readFileSync(conf, "utf8").replace(cachixLines, ""));
        expect((await recordUp(engine.stack, engine.transcript)).error).toBeUndefined();
    }, 120_000);

    it("adding an extra cache updates only the host's commands; only the managed file changes, and the host substitutes from it", async () => {
        expect((await substituteOnHost(host, extra.storePath)).code).not.toBe(0);
        await engine.stack.setAllConfig(engineConfig(config({ extraCaches: [{ url: extra.url, publicKey: extra.publicKey }] })));
        const before = snapshotDir(host.nixConfDir);
        const logins = host.logins();

        const run = await recordUp(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        extraCacheRun = run;
        // The stack, the components and the identity are the same resources; the settings change in place.
        expect(Object.keys(run.changed).every((name) => [settings, netrc, verify].includes(name))).toBe(true);
        expect(run.changed[settings]).toEqual(["update"]);
        expect(run.changed[verify]).toBeDefined();
        expect(run.summary.resourceChanges?.same).toBe(RESOURCES - Object.keys(run.changed).length);
        // The read, and each changed command once; nothing else connected.
        expect(host.logins() - logins).toBe(Object.keys(run.changed).length + 1);
        // The managed file only: no daemon runs on this host, so nothing restarts.
        // And the record of the marker the settings command ran with (see sh/lib-state.sh).
        expect(touchedFiles(before, snapshotDir(host.nixConfDir))).toEqual(["nix-cache.backup/converged", "nix-cache.conf"]);
        expect(run.outputs?.substituters.value).toEqual([cache.url, extra.url]);

        const fetched = await substituteOnHost(host, extra.storePath);
        expect(fetched.output).toContain(`copying path '${extra.storePath}' from '${extra.url}'`);
        expect(fetched.code).toBe(0);
    }, 120_000);

    // The netrc scripts carry no cache list: running them again would send the token again.
    it("adding an extra cache leaves the netrc command alone", () => {
        expect(Object.keys(extraCacheRun?.changed ?? {}).sort()).toEqual([settings, verify].sort());
    });

    it("rotating the token updates only the netrc command: only the netrc changes, and the new token is the one that works", async () => {
        cache.token = ROTATED;
        await engine.stack.setAllConfig(engineConfig(config({ extraCaches: [{ url: extra.url, publicKey: extra.publicKey }], cachixAuthToken: ROTATED })));
        const before = snapshotDir(host.nixConfDir);
        const logins = host.logins();
        // The netrc command (new token), and verify after it (the read saw the host's token differ).
        expect(await recordPreview(engine.stack, engine.transcript)).toEqual({ update: 2, same: RESOURCES - 2 });
        expect(host.logins() - logins, "a preview reads the host once").toBe(1);

        const run = await recordUp(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        expect(run.changed).toEqual({ [netrc]: ["update"], [verify]: ["update"] });
        expect(run.summary.resourceChanges).toEqual({ update: 2, same: RESOURCES - 2 });
        // The preview's read, the up's read, netrc and verify.
        expect(host.logins() - logins).toBe(4);
        expect(touchedFiles(before, snapshotDir(host.nixConfDir))).toEqual(["netrc", "nix-cache.backup/netrc.converged"]);
        expect(fs.readFileSync(path.join(host.nixConfDir, "netrc"), "utf8")).toBe(`machine 127.0.0.1 password ${ROTATED}\n`);

        const fetched = await substituteOnHost(host, cache.storePath);
        expect(fetched.code, fetched.output).toBe(0);
        expect(cache.requests.some((request) => request.endsWith(".narinfo 200"))).toBe(true);
    }, 120_000);

    it("a new config dir replaces the commands, undoing before applying, so the host stays configured", async () => {
        // The session's NIX_CONF_DIR wins over nixConfDir, so old and new setup are the same files:
        // undoing after applying would remove what the new setup just wrote.
        await engine.stack.setAllConfig(
            engineConfig(config({ extraCaches: [{ url: extra.url, publicKey: extra.publicKey }], cachixAuthToken: ROTATED }, { nixConfDir: "/opt/nix-elsewhere" })),
        );
        const run = await recordUp(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        for (const command of [settings, netrc]) {
            const ops = run.changed[command] ?? [];
            expect(ops, command).toContain("delete-replaced");
            expect(ops.indexOf("delete-replaced"), command).toBeLessThan(ops.indexOf("create-replacement"));
        }
        const conf = fs.readFileSync(path.join(host.nixConfDir, "nix.conf"), "utf8");
        expect(conf.startsWith(`${host.ownNixConf}\n`)).toBe(true);
        expect(conf.trimEnd().split("\n").pop()).toBe("!include nix-cache.conf");
        expect(fs.existsSync(path.join(host.nixConfDir, "nix-cache.conf"))).toBe(true);
        expect(fs.readFileSync(path.join(host.nixConfDir, "netrc"), "utf8")).toBe(`machine 127.0.0.1 password ${ROTATED}\n`);
        expect((await substituteOnHost(host, cache.storePath)).code).toBe(0);
    }, 120_000);

    it("the state file holds the token and the key as ciphertext only", () => {
        const checkpoint = filesUnder(engine.dirs.state).find((file) => file.name.endsWith(`${path.sep}lifecycle.json`));
        expect(checkpoint, "the stack's checkpoint in the file backend").toBeDefined();
        expect(plaintextHits({ TOKEN, ROTATED, sshPrivateKey: host.privateKey }, [checkpoint!])).toEqual([]);
        // Present, but encrypted: the engine's marker of a secret value, with its ciphertext.
        const encrypted = /"4dabf18193072939515e22adb298388d":\s*"1b47061264138c4ac30d75fd1eb44270",\s*"ciphertext":\s*"v1:[^"]+"/;
        expect(encrypted.test(checkpoint!.text), "secret values are stored as passphrase ciphertext").toBe(true);
    });

    it("destroy gives the host its files back byte for byte, and it no longer substitutes", async () => {
        const run = await recordDestroy(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        expect(run.summary.resourceChanges).toEqual({ delete: RESOURCES });
        expect(hostFiles(host)).toEqual(original);
        expect(fs.readFileSync(path.join(host.nixConfDir, "nix.conf"), "utf8")).toBe(host.ownNixConf);
        expect((await substituteOnHost(host, cache.storePath)).code).not.toBe(0);
    }, 120_000);

    it("neither token nor private key appears in plaintext in state, config, engine output, events or sshd's log", () => {
        const secrets = { TOKEN, ROTATED, sshPrivateKey: host.privateKey };
        const places = stackAndHostPlaces(engine.dirs, engine.transcript, host.logFile);
        // The search is real: the state and the transcript are not empty.
        expect(places.filter((place) => place.name.includes(`${path.sep}state${path.sep}`)).length).toBeGreaterThan(0);
        expect(engine.transcript.join("").length).toBeGreaterThan(10_000);
        expect(plaintextHits(secrets, places)).toEqual([]);
    });
});
