import { EngineEvent } from "@pulumi/pulumi/automation";
import { expect } from "vitest";
import { BinaryCache, startBinaryCache } from "../../../scripts/localhost/binaryCache";
import { BuilderHost, startBuilderHost } from "../../../scripts/localhost/builderHost";
import { LocalCachix, startLocalCachix } from "../../../scripts/localhost/cachixServer";
import { EngineRun, recordDestroy, recordUp } from "../../../scripts/localhost/engine/engineRun";
import { EngineStack } from "../../../scripts/localhost/engine/engineStack";
import { substituteOnHost } from "../../../scripts/localhost/engine/hostSubstitute";
import { hostFiles, snapshotDir, touchedFiles } from "../../engine/support/hostChecks";
import { filesUnder, plaintextHits } from "../../engine/support/plaintext";

/**
 * What the example programs set up, the same in every language: one builder host named
 * `builder` of a `CacheSetup` named `example`, trusting one public cache.
 */
export interface ConsumerWorld {
    readonly cache: BinaryCache;
    /** Cachix's API as a local server, holding the cache `example` (its URL and key are `cache`'s). */
    readonly cachix: LocalCachix;
    readonly host: BuilderHost;
    /** The host's Nix config dir as it was made (what destroy must give back). */
    readonly original: ReturnType<typeof hostFiles>;
}

/**
 * The setup's resources besides the stack: CacheSetup, CacheIdentity, NixHost, its handshake
 * gate and probe (before its commands are deleted), its settings and verify commands (a public
 * cache: no netrc).
 */
export const SETUP_RESOURCES = [
    "example",
    "example-identity",
    "example-host-builder",
    "example-host-builder-handshake",
    "example-host-builder-handshake-on-delete",
    "example-host-builder-settings",
    "example-host-builder-verify",
];

/** A fresh cache and builder host. */
export async function startConsumerWorld(): Promise<ConsumerWorld> {
    const cache = await startBinaryCache({ keyName: "example.cachix.org-1" });
    const host = await startBuilderHost({ ownNixConf: "# this host's own settings\ntrusted-users = root" });
    const cachix = await startLocalCachix();
    cachix.caches.set("example", { name: "example", uri: cache.url, isPublic: true, publicSigningKeys: [cache.publicKey] });
    return { cache, cachix, host, original: hostFiles(host) };
}

export async function closeConsumerWorld(world: ConsumerWorld | undefined): Promise<void> {
    await world?.host.remove();
    await world?.cache.close();
    await world?.cachix.close();
}

/**
 * The first up: every resource created, three SSH logins (the read, settings and verify), and after it the
 * host substitutes the cache's store path, which it could not before. Returns the run.
 */
export async function expectUpConfigures(engine: EngineStack, world: ConsumerWorld, resources: readonly string[]): Promise<EngineRun> {
    const { cache, host } = world;
    expect((await substituteOnHost(host, cache.storePath)).code, "the host cannot substitute before up").not.toBe(0);
    const logins = host.logins();
    const run = await recordUp(engine.stack, engine.transcript);
    expect(run.error).toBeUndefined();
    expect(run.summary.result).toBe("succeeded");
    expect(run.summary.resourceChanges).toEqual({ create: resources.length });
    // And the engine's default providers, which its summary does not count.
    const providers = Object.keys(run.changed).filter((name) => name.startsWith("default_"));
    expect(Object.keys(run.changed).filter((name) => !providers.includes(name)).sort()).toEqual([...resources].sort());
    expect(run.outputs?.substituters.value).toEqual([cache.url]);
    expect(host.logins() - logins).toBe(3);
    const fetched = await substituteOnHost(host, cache.storePath);
    expect(fetched.output).toContain(`copying path '${cache.storePath}' from '${cache.url}'`);
    expect(fetched.code).toBe(0);
    return run;
}

/** A second up: the program reads the host (one login) and nothing changes, no file touched. */
export async function expectSecondUpOnlyReads(engine: EngineStack, world: ConsumerWorld, resources: readonly string[]): Promise<void> {
    const { cache, host } = world;
    const before = snapshotDir(host.nixConfDir);
    const logins = host.logins();
    const run = await recordUp(engine.stack, engine.transcript);
    expect(run.error).toBeUndefined();
    expect(run.summary.resourceChanges).toEqual({ same: resources.length });
    expect(Object.keys(run.changed).filter((name) => !name.startsWith("default_"))).toEqual([]);
    expect(host.logins() - logins).toBe(1);
    expect(touchedFiles(before, snapshotDir(host.nixConfDir))).toEqual([]);
    expect((await substituteOnHost(host, cache.storePath)).code).toBe(0);
}

/** Destroy: every resource deleted, the host's files back byte for byte, and it no longer substitutes. */
export async function expectDestroyRestores(engine: EngineStack, world: ConsumerWorld, resources: readonly string[]): Promise<void> {
    const run = await recordDestroy(engine.stack, engine.transcript);
    expect(run.error).toBeUndefined();
    expect(run.summary.resourceChanges).toEqual({ delete: resources.length });
    expect(hostFiles(world.host)).toEqual(world.original);
    expect((await substituteOnHost(world.host, world.cache.storePath)).code).not.toBe(0);
}

/**
 * The SSH private key appears in plaintext nowhere: not in state, the program's files, the
 * engine's output, or its events. Left out: debug-severity diagnostic events, which the Node SDK
 * emits for every RegisterResource response (secret outputs included, unmasked); the engine shows
 * them only with debug logging on (`pulumi up -d` / `--debug`).
 */
export function expectKeyNowhereInPlaintext(engine: EngineStack, world: ConsumerWorld): void {
    const shown = engine.transcript.filter((entry) => !isDebugEvent(entry));
    const places = [
        ...filesUnder(engine.dirs.state),
        ...filesUnder(engine.dirs.work, ["node_modules"]),
        { name: "engine output and events", text: shown.join("\n") },
    ];
    // The search is real: there is state, and the engine said something.
    expect(places.some((place) => place.name.endsWith("dev.json"))).toBe(true);
    expect(shown.join("").length).toBeGreaterThan(10_000);
    expect(plaintextHits({ sshPrivateKey: world.host.privateKey }, places)).toEqual([]);
}

function isDebugEvent(entry: string): boolean {
    try {
        // The SDK's type leaves debug out of `severity`; the engine marks those with their prefix.
        return (JSON.parse(entry) as EngineEvent).diagnosticEvent?.prefix?.startsWith("debug") === true;
    } catch {
        return false;
    }
}
