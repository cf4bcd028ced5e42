import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../cli/args";
import { COMMAND_PLUGIN_VERSION } from "../../cli/localStack";
import { BinaryCache, startBinaryCache } from "../../scripts/localhost/binaryCache";
import { BuilderHost, startBuilderHost } from "../../scripts/localhost/builderHost";
import { recordDestroy, recordUp } from "../../scripts/localhost/engine/engineRun";
import { createProgramStack, ProgramStack } from "../../scripts/localhost/engine/engineStack";
import { substituteOnHost } from "../../scripts/localhost/engine/hostSubstitute";
import { hostFiles, snapshotDir, touchedFiles } from "../engine/support/hostChecks";
import { requireEngine } from "../engine/support/requirements";
import { requireTools } from "../support/tools";
import { MANIFEST } from "./support/packedLibrary";

// examples/yaml, the program the README shows, as someone else's Pulumi YAML project in a
// directory of its own: this package added with `pulumi package add <repo>/provider`, then run
// by the real engine through the YAML language host (v1.25.0, from scripts/toolchain.sh); the
// package's component provider constructs the CacheSetup, against a real builder host and cache.

const engineRequirements = requireEngine();
const requirements = engineRequirements.skip ? engineRequirements : requireTools(["pulumi-language-yaml"], "run `bash scripts/toolchain.sh yaml`");
const EXAMPLE = path.join(PROJECT_ROOT, "examples", "yaml");
const PROVIDER = path.join(PROJECT_ROOT, "provider");
// The stack, CacheSetup (through the provider), CacheIdentity, NixHost, and its settings and verify commands.
const RESOURCES = [
    "nix-cache-example-yaml-dev",
    "example",
    "example-identity",
    "example-host-builder",
    "example-host-builder-settings",
    "example-host-builder-verify",
];
const settings = "example-host-builder-settings";

let cache: BinaryCache;
let host: BuilderHost;
let engine: ProgramStack;
let original: ReturnType<typeof hostFiles>;

beforeAll(async () => {
    if (requirements.skip) {
        return;
    }
    cache = await startBinaryCache({ keyName: "example.cachix.org-1" });
    host = await startBuilderHost({ ownNixConf: "# this host's own settings\ntrusted-users = root" });
    original = hostFiles(host);
    engine = await createProgramStack("dev", (dir) => fs.cpSync(EXAMPLE, dir, { recursive: true }));
    await engine.stack.setAllConfig({
        cacheUrl: { value: cache.url },
        cachePublicKey: { value: cache.publicKey },
        builderAddress: { value: "127.0.0.1" },
        builderPort: { value: String(host.port) },
        builderHostKey: { value: host.hostKey },
        builderSshKeyFile: { value: host.privateKeyFile },
    });
}, 600_000);

afterAll(async () => {
    await engine?.remove();
    await host?.remove();
    await cache?.close();
});

describe.skipIf(requirements.skip)("examples/yaml: a Pulumi YAML program using the component through `pulumi package add`, against a real host", () => {
    it("`pulumi package add` of the package's provider directory reads its schema and writes the YAML package file", async () => {
        const added = await engine.cli(["package", "add", PROVIDER]).then(
            () => undefined,
            (error: Error) => error,
        );
        // The schema was read from the provider and the YAML language host wrote its package file.
        expect(fs.readdirSync(path.join(engine.dirs.work, "sdks", "nix-cache"))).toEqual([`nix-cache-${MANIFEST.version}.yaml`]);
        if (added !== undefined) {
            // The one step left: pulumi-language-yaml v1.25.0 has no Link method (added upstream
            // after that release), which `package add` of pulumi v3.248.0 calls last, just before
            // it records the package in Pulumi.yaml. Anything else failing fails the test.
            expect(added.message).toMatch(/linking package: method Link not implemented/);
            expect(added.message.split("\n").filter((line) => /^error:/.test(line))).toHaveLength(1);
            // What `package add` records for a local directory: the package name and the path.
            fs.appendFileSync(path.join(engine.dirs.work, "Pulumi.yaml"), `packages:\n  nix-cache: ${PROVIDER}\n`);
        }
        const project = fs.readFileSync(path.join(engine.dirs.work, "Pulumi.yaml"), "utf8");
        expect(project).toMatch(new RegExp(`^packages:\n {2}nix-cache: ${PROVIDER}\n`, "m"));
    }, 300_000);

    it("up has the provider construct the setup, configures the host, and the host substitutes from the cache", async () => {
        expect((await substituteOnHost(host, cache.storePath)).code, "the host cannot substitute before up").not.toBe(0);
        const logins = host.logins();
        const run = await recordUp(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        expect(run.summary.result).toBe("succeeded");
        expect(run.summary.resourceChanges).toEqual({ create: RESOURCES.length });
        // And the engine's default providers (this package's and the command provider), which its summary does not count.
        const providers = Object.keys(run.changed).filter((name) => name.startsWith("default"));
        expect(Object.keys(run.changed).filter((name) => !providers.includes(name)).sort()).toEqual([...RESOURCES].sort());
        expect(providers).toContain(`default_${COMMAND_PLUGIN_VERSION.replace(/\./g, "_")}`);
        expect(run.outputs?.substituters.value).toEqual([cache.url]);
        expect(host.logins() - logins).toBe(2);

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
