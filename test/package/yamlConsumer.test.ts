import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../cli/args";
import { COMMAND_PLUGIN_VERSION } from "../../cli/localStack";
import { createProgramStack, ProgramStack } from "../../scripts/localhost/engine/engineStack";
import { outputsInState } from "../engine/support/engineState";
import { requireEngine } from "../engine/support/requirements";
import { requireTools } from "../support/tools";
import { closeConsumerWorld, ConsumerWorld, expectDestroyRestores, expectKeyNowhereInPlaintext, expectSecondUpOnlyReads, expectUpConfigures, SETUP_RESOURCES, startConsumerWorld } from "./support/consumerHost";
import { MANIFEST, packLibrary } from "./support/packedLibrary";

// examples/yaml, the program the README shows, as someone else's Pulumi YAML project in a
// directory of its own: the packed library installed beside it, its plugin directory added with
// `pulumi package add <node_modules/nix-cache>/dist/provider`, then run by the real engine
// through the YAML language host (upstream v1.25.0 with Link, from scripts/toolchain.sh); the
// shipped component provider constructs the CacheSetup, against a real builder host and cache.

const engineRequirements = requireEngine();
const requirements = engineRequirements.skip ? engineRequirements : requireTools(["pulumi-language-yaml"], "run `bash scripts/toolchain.sh yaml`");
const EXAMPLE = path.join(PROJECT_ROOT, "examples", "yaml");
const RESOURCES = ["nix-cache-example-yaml-dev", ...SETUP_RESOURCES];

let world: ConsumerWorld;
let engine: ProgramStack;
let provider: string;

beforeAll(async () => {
    if (requirements.skip) {
        return;
    }
    world = await startConsumerWorld();
    engine = await createProgramStack("dev", (dir) => fs.cpSync(EXAMPLE, dir, { recursive: true }));
    // The package in node_modules beside the program's directory (removed with the stack), with
    // @pulumi/pulumi as its peer: where the shipped plugin finds the SDK, as in an installed program.
    provider = path.join(packLibrary(engine.root).packageDir, "dist", "provider");
    // The program's own config keys: where the host and Cachix's API are (the provider reads the
    // cache's URL and key from it).
    await engine.stack.setAllConfig({
        cachixApiUrl: { value: world.cachix.apiUrl },
        builderAddress: { value: "127.0.0.1" },
        builderPort: { value: String(world.host.port) },
        builderHostKey: { value: world.host.hostKey },
        builderSshKeyFile: { value: world.host.privateKeyFile },
    });
}, 600_000);

afterAll(async () => {
    await engine?.remove();
    await closeConsumerWorld(world);
});

describe.skipIf(requirements.skip)("examples/yaml: a Pulumi YAML program using the component through `pulumi package add`, against a real host", () => {
    it("`pulumi package add` of the installed package's provider directory completes and records the package in Pulumi.yaml", async () => {
        const before = fs.readFileSync(path.join(engine.dirs.work, "Pulumi.yaml"), "utf8");
        expect(before).not.toMatch(/^packages:/m);
        // Rejects on any failure (a non-zero exit), the language host's Link included.
        await engine.cli(["package", "add", provider]);
        // The schema was read from the shipped provider and the YAML language host wrote its package file.
        expect(fs.readdirSync(path.join(engine.dirs.work, "sdks", "nix-cache"))).toEqual([`nix-cache-${MANIFEST.version}.yaml`]);
        // The CLI itself recorded the package: its name and the directory, the rest untouched.
        const project = fs.readFileSync(path.join(engine.dirs.work, "Pulumi.yaml"), "utf8");
        expect(project.startsWith(before.trimEnd())).toBe(true);
        expect(project).toMatch(new RegExp(`^packages:\n {2}nix-cache: ${escapeRegExp(provider)}\n`, "m"));
    }, 300_000);

    it("a wrong argument fails preview with the engine's error on its property, and nothing is created", async () => {
        // The provider turns the components' ArgsError into InputPropertiesError: the YAML
        // program's user sees the problem on the property written, hosts[0].hostKey.
        await engine.stack.setConfig("builderHostKey", { value: "ssh-ed25519 not-base64!" });
        const failed = await engine.cli(["preview", "--non-interactive", "--color", "never"]).then(
            () => undefined,
            (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ""}\n${error.stderr ?? ""}`,
        );
        await engine.stack.setConfig("builderHostKey", { value: world.host.hostKey });
        expect(failed).toBeDefined();
        expect(failed).toMatch(/CacheSetup example: invalid arguments \(1 problem\)/);
        expect(failed).toMatch(/hosts\[0\]\.hostKey[^\n]*"ssh-ed25519 not-base64!" is not valid; expected /);
        expect((await engine.stack.exportStack()).deployment.resources ?? []).toEqual([]);
    }, 300_000);

    it("up has the provider construct the setup, configures the host, and the host substitutes from the cache", async () => {
        const run = await expectUpConfigures(engine, world, RESOURCES);
        // The engine's default providers: this package's, and the command provider its component uses.
        expect(Object.keys(run.changed)).toContain(`default_${COMMAND_PLUGIN_VERSION.replace(/\./g, "_")}`);
        expect(Object.keys(run.changed)).toContain(`default_${MANIFEST.version.replace(/\./g, "_")}`);
    }, 300_000);

    it("a second up changes nothing: the program only reads the host (one login), touching no file", async () => {
        await expectSecondUpOnlyReads(engine, world, RESOURCES);
    }, 300_000);

    it("destroy gives the host its files back byte for byte, and it no longer substitutes", async () => {
        await expectDestroyRestores(engine, world, RESOURCES);
    }, 300_000);

    it("an address that is an Output (here a secret config value) goes through the provider and connects once it resolves", async () => {
        // A YAML program hands the component Outputs for values that depend on resources or are
        // secrets; a secret address reaches the component as one.
        await engine.stack.setConfig("builderAddress", { value: "127.0.0.1", secret: true });
        await expectUpConfigures(engine, world, RESOURCES);
        // The connection, address included, is a secret in state: Pulumi's secret signature (the
        // export shows it decrypted); the plaintext search below reads the files themselves.
        const settings = await outputsInState(engine.stack, "command:remote:Command", "example-host-builder-settings");
        expect(JSON.stringify(settings["connection"])).toMatch(/^\{"4dabf18193072939515e22adb298388d":"1b47061264138c4ac30d75fd1eb44270","plaintext":"\{[^}]*\\"host\\":\\"127\.0\.0\.1\\"/);
        await expectDestroyRestores(engine, world, RESOURCES);
    }, 600_000);

    it("the SSH private key is in plaintext nowhere: state, the program's files, engine output and events (debug ones aside)", () => {
        expectKeyNowhereInPlaintext(engine, world);
    });
});

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
