import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../cli/args";
import { COMMAND_PLUGIN_VERSION } from "../../cli/localStack";
import { BinaryCache, startBinaryCache } from "../../scripts/localhost/binaryCache";
import { BuilderHost, startBuilderHost } from "../../scripts/localhost/builderHost";
import { recordDestroy, recordUp } from "../../scripts/localhost/engine/engineRun";
import { createProgramStack, EngineStack } from "../../scripts/localhost/engine/engineStack";
import { substituteOnHost } from "../../scripts/localhost/engine/hostSubstitute";
import { hostFiles, snapshotDir, touchedFiles } from "../engine/support/hostChecks";
import { requireEngine } from "../engine/support/requirements";
import { packLibrary, PackResult } from "./support/packedLibrary";

// examples/typescript, the program the README shows, as someone else's project: its files in a
// directory of their own with the packed library installed beside them, run by the real engine
// through the Node language host (TypeScript, type-checked against the package's .d.ts), against
// a real builder host and a real binary cache. Nothing of the setup is in a stack config file.

const requirements = requireEngine();
const EXAMPLE = path.join(PROJECT_ROOT, "examples", "typescript");
// The stack, CacheSetup, CacheIdentity, NixHost, and its settings and verify commands (a public cache: no netrc).
const RESOURCES = ["nix-cache-example-dev", "example", "example-identity", "example-host-builder", "example-host-builder-settings", "example-host-builder-verify"];
const settings = "example-host-builder-settings";

let cache: BinaryCache;
let host: BuilderHost;
let engine: EngineStack;
let packed: PackResult;
let original: ReturnType<typeof hostFiles>;

beforeAll(async () => {
    if (requirements.skip) {
        return;
    }
    cache = await startBinaryCache({ keyName: "example.cachix.org-1" });
    host = await startBuilderHost({ ownNixConf: "# this host's own settings\ntrusted-users = root" });
    original = hostFiles(host);
    const env = {
        CACHE_URL: cache.url,
        CACHE_PUBLIC_KEY: cache.publicKey,
        BUILDER_ADDRESS: "127.0.0.1",
        BUILDER_PORT: String(host.port),
        BUILDER_HOST_KEY: host.hostKey,
        BUILDER_SSH_KEY_FILE: host.privateKeyFile,
    };
    engine = await createProgramStack(
        "dev",
        (dir) => {
            fs.cpSync(EXAMPLE, dir, { recursive: true });
            packed = packLibrary(dir).packed;
        },
        env,
    );
}, 600_000);

afterAll(async () => {
    await engine?.remove();
    await host?.remove();
    await cache?.close();
});

describe.skipIf(requirements.skip)("examples/typescript: a TypeScript program using the packed library, through the engine, against a real host", () => {
    it("depends on the library by a version range the packed version satisfies", () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(EXAMPLE, "package.json"), "utf8")) as { dependencies: Record<string, string> };
        const range = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(manifest.dependencies[packed.name] ?? "");
        expect(range, `examples/typescript/package.json depends on ${packed.name} by a caret range`).not.toBeNull();
        const [major, minor, patch] = packed.version.split(/[.-]/).map(Number);
        const [wantMajor, wantMinor, wantPatch] = range!.slice(1).map(Number);
        // A caret range below 1.0 pins the minor version.
        expect(major).toBe(wantMajor);
        expect(major > 0 || minor === wantMinor).toBe(true);
        expect(minor * 1e6 + patch).toBeGreaterThanOrEqual(wantMinor * 1e6 + wantPatch);
    });

    it("up creates the setup from code, configures the host, and the host substitutes from the cache", async () => {
        expect((await substituteOnHost(host, cache.storePath)).code, "the host cannot substitute before up").not.toBe(0);
        const logins = host.logins();
        const run = await recordUp(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        expect(run.summary.result).toBe("succeeded");
        expect(run.summary.resourceChanges).toEqual({ create: RESOURCES.length });
        // And the engine's default command provider, which its summary does not count.
        expect(Object.keys(run.changed).sort()).toEqual([...RESOURCES, `default_${COMMAND_PLUGIN_VERSION.replace(/\./g, "_")}`].sort());
        expect(run.outputs?.substituters.value).toEqual([cache.url]);
        expect(run.outputs?.hostSubstituters.value).toEqual([cache.url]);
        // The settings and verify commands: one SSH login each.
        expect(host.logins() - logins).toBe(2);
        // No stack config file holds the setup: the engine's own file has no nix-cache key.
        const stackFile = path.join(engine.dirs.work, "Pulumi.dev.yaml");
        expect(fs.existsSync(stackFile) ? fs.readFileSync(stackFile, "utf8") : "").not.toContain("nix-cache:");

        const fetched = await substituteOnHost(host, cache.storePath);
        expect(fetched.output).toContain(`copying path '${cache.storePath}' from '${cache.url}'`);
        expect(fetched.code).toBe(0);
    }, 300_000);

    it("a second up changes nothing: only the settings command re-checks the host, in place, touching no file", async () => {
        const before = snapshotDir(host.nixConfDir);
        const logins = host.logins();
        const run = await recordUp(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        expect(run.summary.resourceChanges).toEqual({ update: 1, same: RESOURCES.length - 1 });
        expect(run.changed).toEqual({ [settings]: ["update"] });
        expect(host.logins() - logins).toBe(1);
        expect(touchedFiles(before, snapshotDir(host.nixConfDir))).toEqual([]);
        expect((await substituteOnHost(host, cache.storePath)).code).toBe(0);
    }, 300_000);

    it("destroy gives the host its files back byte for byte, and it no longer substitutes", async () => {
        const run = await recordDestroy(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        expect(run.summary.resourceChanges).toEqual({ delete: RESOURCES.length });
        expect(hostFiles(host)).toEqual(original);
        expect((await substituteOnHost(host, cache.storePath)).code).not.toBe(0);
    }, 300_000);
});
