import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../cli/args";
import { run } from "../support/tools";
import { MANIFEST as manifest, packLibrary, PackResult } from "./support/packedLibrary";

// `npm pack` builds the library (prepack) and packs it; the tarball is inspected, then
// installed into a scratch directory the way npm lays it out, where a program of someone
// else's (consumer/main.ts) compiles against its .d.ts files and runs against its JavaScript.

const COMPONENTS = ["CacheSetup", "CacheIdentity", "NixHost", "GithubCi", "S3Mirror", "MirrorCiSecrets"];

let work: string;
let packed: PackResult;
let packageDir: string;

beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-pack-"));
    ({ packed, packageDir } = packLibrary(work));
}, 300_000);

afterAll(() => {
    if (work !== undefined) {
        fs.rmSync(work, { recursive: true, force: true });
    }
});

describe("the packed library (npm pack)", () => {
    it("is the nix-cache package at a semver version, with @pulumi/pulumi as a peer", () => {
        expect(packed.name).toBe("nix-cache");
        expect(packed.version).toMatch(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/);
        expect(manifest.peerDependencies["@pulumi/pulumi"]).toBeDefined();
        expect(manifest.dependencies["@pulumi/pulumi"]).toBeUndefined();
    });

    it("holds compiled JavaScript with types, the hosts' shell scripts and the changelog, and nothing of the program, cli, harness, tests or bench", () => {
        const files = packed.files.map((file) => file.path);
        expect(files).toEqual(expect.arrayContaining(["package.json", "README.md", "CHANGELOG.md", "dist/index.js", "dist/index.d.ts", "dist/setup/cacheSetup.d.ts"]));
        const scripts = fs.readdirSync(path.join(PROJECT_ROOT, "components", "hosts", "sh")).map((name) => `dist/hosts/sh/${name}`);
        expect(files).toEqual(expect.arrayContaining(scripts));
        const sources = fs.readdirSync(path.join(PROJECT_ROOT, "components")).filter((name) => name.endsWith(".ts")).map((name) => `dist/${name.replace(/\.ts$/, ".js")}`);
        expect(files).toEqual(expect.arrayContaining(sources));
        const outside = files.filter((file) => !/^(dist\/|package\.json$|README\.md$|CHANGELOG\.md$)/.test(file));
        expect(outside).toEqual([]);
        expect(files.filter((file) => /(^|\/)(test|bench|cli|scripts|stacks)\//.test(file) || /\.ts$/.test(file.replace(/\.d\.ts$/, "")))).toEqual([]);
    });

    it("ships the component provider as a plugin directory: PulumiPlugin.yaml, a package.json whose main is compiled JavaScript, and the schema of all six components", () => {
        const files = packed.files.map((file) => file.path);
        expect(files).toEqual(expect.arrayContaining(["dist/provider/PulumiPlugin.yaml", "dist/provider/package.json", "dist/provider/schema.json"]));
        const provider = path.join(packageDir, "dist", "provider");
        expect(fs.readFileSync(path.join(provider, "PulumiPlugin.yaml"), "utf8")).toMatch(/^runtime: nodejs$/m);
        const plugin = JSON.parse(fs.readFileSync(path.join(provider, "package.json"), "utf8")) as { main?: string; dependencies?: object; peerDependencies?: object; devDependencies?: object };
        expect(plugin.main).toMatch(/\.js$/);
        expect(files).toContain(path.posix.join("dist/provider", plugin.main ?? ""));
        // Nothing for the language host to install there: @pulumi/pulumi and the components'
        // dependencies resolve from the program's node_modules, and no TypeScript means no ts-node work.
        expect([plugin.dependencies, plugin.peerDependencies, plugin.devDependencies]).toEqual([undefined, undefined, undefined]);
        const schema = JSON.parse(fs.readFileSync(path.join(provider, "schema.json"), "utf8")) as { name: string; version: string; resources: Record<string, unknown> };
        expect(schema.name).toBe("nix-cache");
        expect(schema.version).toBe(manifest.version);
        expect(Object.keys(schema.resources).sort()).toEqual(COMPONENTS.map((name) => `nix-cache:index:${name}`).sort());
    });

    it("a TypeScript program compiles against its types and builds a CacheSetup from code; importing it runs nothing", () => {
        const consumer = path.join(work, "consumer");
        fs.cpSync(path.join(PROJECT_ROOT, "test", "package", "consumer"), consumer, { recursive: true });
        run(path.join(PROJECT_ROOT, "node_modules", ".bin", "tsc"), ["-p", consumer]);
        // Only the package's import: a library that ran a program on import would fail here, with no engine.
        expect(run("node", ["-e", `require("nix-cache"); console.log("imported")`], { cwd: work })).toBe("imported\n");
        const result = JSON.parse(run("node", [path.join(consumer, "out", "main.js")], { cwd: work })) as { substituters: string[]; registered: string[] };
        expect(result.substituters).toEqual(["https://cache.nixos.org", "https://consumer.cachix.org"]);
        expect(result.registered).toEqual(expect.arrayContaining([
            "nix-cache:index:CacheSetup consumer",
            "nix-cache:index:NixHost consumer-host-builder",
            "command:remote:Command consumer-host-builder-settings",
        ]));
    });
});
