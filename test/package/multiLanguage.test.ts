import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../cli/args";
import { TOOLS_BIN } from "../../cli/localStack";
import { requireTools, run } from "../support/tools";
import { packLibrary } from "./support/packedLibrary";

// The package as other languages see it: the pinned CLI asks the provider (the checkout's
// provider/, run as a plugin by the Node language host, analyzing the components' TypeScript)
// for its schema, and the Python and Go SDKs generated from it compile. The generators are the
// CLI's own (scripts/sdkgen). The packed package's plugin (dist/provider/) serves the schema
// generated at build time, which must be the same.

const tools = requireTools(["pulumi", "pulumi-language-nodejs", "go", "python3"], "run scripts/toolchain.sh pulumi (needs Go) and install python3");
const COMPONENTS = ["CacheSetup", "CacheIdentity", "NixHost", "GithubCi", "S3Mirror", "MirrorCiSecrets"];

interface SchemaProperty {
    readonly description?: string;
}
interface PackageSchema {
    readonly name: string;
    readonly version: string;
    readonly resources: Record<string, { isComponent?: boolean; description?: string; inputProperties?: Record<string, SchemaProperty>; properties?: Record<string, SchemaProperty> }>;
    readonly types: Record<string, { properties?: Record<string, SchemaProperty>; enum?: unknown[] }>;
}

let work: string;
let schemaFile: string;
let schema: PackageSchema;
let sdkgen: string;
let getSchema: (provider: string) => string;

beforeAll(() => {
    if (tools.skip) return;
    work = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-sdk-"));
    const env = {
        ...process.env,
        PATH: `${TOOLS_BIN}${path.delimiter}${process.env.PATH ?? ""}`,
        PULUMI_HOME: path.join(work, "pulumi-home"),
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
        PULUMI_CONFIG_PASSPHRASE: "not-a-secret",
    };
    fs.mkdirSync(path.join(work, "state"));
    schemaFile = path.join(work, "schema.json");
    getSchema = (provider) => run(tools.paths.pulumi, ["package", "get-schema", provider], { env, cwd: work });
    fs.writeFileSync(schemaFile, getSchema(path.join(PROJECT_ROOT, "provider")));
    schema = JSON.parse(fs.readFileSync(schemaFile, "utf8")) as PackageSchema;
    sdkgen = path.join(work, "sdkgen");
    run(tools.paths.go, ["build", "-o", sdkgen, "."], { cwd: path.join(PROJECT_ROOT, "scripts", "sdkgen"), env: { ...process.env, GOFLAGS: "-mod=readonly -buildvcs=false" } });
});

afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe.skipIf(tools.skip)("pulumi package get-schema", () => {
    it("names the package nix-cache at the library's version and lists every component", () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
        expect(schema.name).toBe("nix-cache");
        expect(schema.version).toBe(manifest.version);
        expect(Object.keys(schema.resources).sort()).toEqual(COMPONENTS.map((c) => `nix-cache:index:${c}`).sort());
        for (const resource of Object.values(schema.resources)) {
            expect(resource.isComponent).toBe(true);
        }
    });

    it("documents every component, input property and type property", () => {
        const undocumented = [
            ...Object.entries(schema.resources).flatMap(([token, r]) => [
                ...(r.description ? [] : [token]),
                ...Object.entries(r.inputProperties ?? {}).filter(([, p]) => !p.description?.trim()).map(([key]) => `${token}.${key}`),
            ]),
            ...Object.entries(schema.types).flatMap(([token, t]) =>
                Object.entries(t.properties ?? {}).filter(([, p]) => !p.description?.trim()).map(([key]) => `${token}.${key}`),
            ),
        ];
        expect(undocumented).toEqual([]);
        expect(Object.keys(schema.resources["nix-cache:index:CacheSetup"].inputProperties ?? {})).toEqual(
            expect.arrayContaining(["cache", "hosts", "github", "mirror", "cachixAuthToken", "sshPrivateKeys"]),
        );
    });
});

describe.skipIf(tools.skip)("the packed package's provider (dist/provider/)", () => {
    it("serves the schema the analyzer reads off the sources, as the checkout's provider does", () => {
        const packed = path.join(work, "packed");
        const provider = path.join(packLibrary(packed).packageDir, "dist", "provider");
        expect(JSON.parse(getSchema(provider))).toEqual(schema);
    }, 300_000);
});

describe.skipIf(tools.skip)("generated SDKs", () => {
    it("Python: every file compiles (py_compile)", () => {
        const out = path.join(work, "python");
        run(sdkgen, ["-schema", schemaFile, "-language", "python", "-out", out]);
        const files = listFiles(out).filter((file) => file.endsWith(".py"));
        expect(files.map((file) => path.basename(file))).toEqual(expect.arrayContaining(["cache_setup.py", "nix_host.py", "s3_mirror.py", "_enums.py"]));
        run(tools.paths.python3, ["-m", "py_compile", ...files]);
    }, 120_000);

    it("Go: the module builds (go build ./...)", () => {
        const out = path.join(work, "go");
        run(sdkgen, ["-schema", schemaFile, "-language", "go", "-out", out]);
        expect(listFiles(out).map((file) => path.basename(file))).toEqual(expect.arrayContaining(["go.mod", "cacheSetup.go", "nixHost.go", "pulumiEnums.go"]));
        // The Go SDK's dependencies come from the module proxy (or the module cache).
        const env = { ...process.env, GOFLAGS: "-mod=mod -buildvcs=false" };
        run(tools.paths.go, ["mod", "tidy"], { cwd: out, env });
        run(tools.paths.go, ["build", "./..."], { cwd: out, env });
        run(tools.paths.go, ["vet", "./..."], { cwd: out, env });
    }, 600_000);
});

function listFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const file = path.join(dir, entry.name);
        return entry.isDirectory() ? listFiles(file) : [file];
    });
}
