import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../cli/args";
import { COMMAND_PLUGIN_VERSION } from "../../cli/localStack";
import { recordDestroy, recordUp } from "../../scripts/localhost/engine/engineRun";
import { createProgramStack, EngineStack } from "../../scripts/localhost/engine/engineStack";
import { hostFiles } from "../engine/support/hostChecks";
import { requireEngine } from "../engine/support/requirements";
import { closeConsumerWorld, ConsumerWorld, expectDestroyRestores, expectKeyNowhereInPlaintext, expectSecondUpOnlyReads, expectUpConfigures, SETUP_RESOURCES, startConsumerWorld } from "./support/consumerHost";
import { packLibrary, PackResult } from "./support/packedLibrary";

// examples/typescript, the program the README shows, as someone else's project: its files in a
// directory of their own with the packed library installed beside them, run by the real engine
// through the Node language host (TypeScript, type-checked against the package's .d.ts), against
// a real builder host and a real binary cache. Nothing of the setup is in a stack config file.

const requirements = requireEngine();
const EXAMPLE = path.join(PROJECT_ROOT, "examples", "typescript");
// The program's own resource beside the setup: the command that reports the builder's address.
const RESOURCES = ["nix-cache-example-dev", "builder-address", ...SETUP_RESOURCES];

let world: ConsumerWorld;
let engine: EngineStack;
let packed: PackResult;
let env: Record<string, string>;

beforeAll(async () => {
    if (requirements.skip) {
        return;
    }
    world = await startConsumerWorld();
    env = {
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

    it("a second up changes nothing: the program only reads the host (one login), touching no file", async () => {
        await expectSecondUpOnlyReads(engine, world, RESOURCES);
    }, 300_000);

    it("destroy gives the host its files back byte for byte, and it no longer substitutes", async () => {
        await expectDestroyRestores(engine, world, RESOURCES);
    }, 300_000);

    it("an address that resolves to no address fails up by name, and nothing is sent to the host", async () => {
        // The same program and installed package, in a stack of its own, told a wrong address.
        const copy = (dir: string) => fs.cpSync(engine.dirs.work, dir, { recursive: true, filter: (source) => !/Pulumi\.[^/]+\.yaml$/.test(path.basename(source)) || source.endsWith("Pulumi.yaml") });
        const wrong = await createProgramStack("wrong", copy, { ...env, BUILDER_ADDRESS: "999.1.1.1" });
        try {
            const logins = world.host.logins();
            const run = await recordUp(wrong.stack, wrong.transcript);
            // The engine indents the program's message; the words are the component's.
            expect(run.error?.message).toMatch(/CacheSetup example: invalid arguments \(1 problem\):\s+- hosts\[0\]\.address: "999\.1\.1\.1" is not valid; expected an IPv4 address/);
            // A RunError: the message alone, no stack trace or dump of the error object.
            expect(run.error?.message).not.toMatch(/unhandled exception|<ref \*1>|\bat parsedSections\b/);
            // The machine's own resource was made; of the setup, nothing that connects.
            expect(Object.keys(run.changed)).toContain("builder-address");
            expect(Object.keys(run.changed).filter((name) => name.startsWith("example-host-builder-"))).toEqual([]);
            expect(world.host.logins() - logins).toBe(0);
            expect(hostFiles(world.host)).toEqual(world.original);
            expect((await recordDestroy(wrong.stack, wrong.transcript)).error).toBeUndefined();
        } finally {
            await wrong.remove();
        }
    }, 300_000);

    it("the SSH private key is in plaintext nowhere: state, the program's files, engine output and events (debug ones aside)", () => {
        expectKeyNowhereInPlaintext(engine, world);
    });
});
