import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../cli/args";
import { COMMAND_PLUGIN_VERSION } from "../../cli/localStack";
import { createProgramStack, EngineStack } from "../../scripts/localhost/engine/engineStack";
import { requireEngine } from "../engine/support/requirements";
import { closeConsumerWorld, ConsumerWorld, expectDestroyRestores, expectKeyNowhereInPlaintext, expectSecondUpOnlyRechecks, expectUpConfigures, SETUP_RESOURCES, startConsumerWorld } from "./support/consumerHost";
import { packLibrary, PackResult } from "./support/packedLibrary";

// examples/typescript, the program the README shows, as someone else's project: its files in a
// directory of their own with the packed library installed beside them, run by the real engine
// through the Node language host (TypeScript, type-checked against the package's .d.ts), against
// a real builder host and a real binary cache. Nothing of the setup is in a stack config file.

const requirements = requireEngine();
const EXAMPLE = path.join(PROJECT_ROOT, "examples", "typescript");
const RESOURCES = ["nix-cache-example-dev", ...SETUP_RESOURCES];

let world: ConsumerWorld;
let engine: EngineStack;
let packed: PackResult;

beforeAll(async () => {
    if (requirements.skip) {
        return;
    }
    world = await startConsumerWorld();
    const env = {
        CACHE_URL: world.cache.url,
        CACHE_PUBLIC_KEY: world.cache.publicKey,
        BUILDER_ADDRESS: "127.0.0.1",
        BUILDER_PORT: String(world.host.port),
        BUILDER_HOST_KEY: world.host.hostKey,
        BUILDER_SSH_KEY_FILE: world.host.privateKeyFile,
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
    await closeConsumerWorld(world);
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
        const run = await expectUpConfigures(engine, world, RESOURCES);
        expect(Object.keys(run.changed)).toContain(`default_${COMMAND_PLUGIN_VERSION.replace(/\./g, "_")}`);
        expect(run.outputs?.hostSubstituters.value).toEqual([world.cache.url]);
        // No stack config file holds the setup: the engine's own file has no nix-cache key.
        const stackFile = path.join(engine.dirs.work, "Pulumi.dev.yaml");
        expect(fs.existsSync(stackFile) ? fs.readFileSync(stackFile, "utf8") : "").not.toContain("nix-cache:");
    }, 300_000);

    it("a second up changes nothing: only the settings command re-checks the host, in place, touching no file", async () => {
        await expectSecondUpOnlyRechecks(engine, world, RESOURCES);
    }, 300_000);

    it("destroy gives the host its files back byte for byte, and it no longer substitutes", async () => {
        await expectDestroyRestores(engine, world, RESOURCES);
    }, 300_000);

    it("the SSH private key is in plaintext nowhere: state, the program's files, engine output and events (debug ones aside)", () => {
        expectKeyNowhereInPlaintext(engine, world);
    });
});
