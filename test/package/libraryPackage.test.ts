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

let work: string;
let packed: PackResult;

beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-pack-"));
    packed = packLibrary(work).packed;
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
        expect(files).toEqual(expect.arrayContaining(["package.json", "README.md", "CHANGELOG.md", "dist/index.js", "dist/index.d.ts", "dist/cacheSetup.d.ts"]));
        const scripts = fs.readdirSync(path.join(PROJECT_ROOT, "components", "hosts", "sh")).map((name) => `dist/hosts/sh/${name}`);
        expect(files).toEqual(expect.arrayContaining(scripts));
        const sources = fs.readdirSync(path.join(PROJECT_ROOT, "components")).filter((name) => name.endsWith(".ts")).map((name) => `dist/${name.replace(/\.ts$/, ".js")}`);
        expect(files).toEqual(expect.arrayContaining(sources));
        const outside = files.filter((file) => !/^(dist\/|package\.json$|README\.md$|CHANGELOG\.md$)/.test(file));
        expect(outside).toEqual([]);
        expect(files.filter((file) => /(^|\/)(test|bench|cli|scripts|stacks)\//.test(file) || /\.ts$/.test(file.replace(/\.d\.ts$/, "")))).toEqual([]);
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
