import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../cli/args";
import { run } from "../support/tools";
import { MANIFEST as manifest, OPTIONAL_PEERS, packLibrary, PackResult } from "./support/packedLibrary";

// `npm pack` builds the library (prepack) and packs it; the tarball is inspected, then
// installed into a scratch directory the way npm lays it out, without the optional peers
// (@pulumi/aws, @pulumi/github), where a program of someone else's that uses only hosts
// (consumer/main.ts) compiles against its .d.ts files and runs against its JavaScript.

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

    it("is Apache-2.0 licensed, with the licence text in the package", () => {
        expect(manifest.license).toBe("Apache-2.0");
        expect(packed.files.map((file) => file.path)).toContain("LICENSE");
        expect(fs.readFileSync(path.join(packageDir, "LICENSE"), "utf8")).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    });

    it("takes @pulumi/aws and @pulumi/github as optional peers, which no type a program sees names", () => {
        expect(OPTIONAL_PEERS.sort()).toEqual(["@pulumi/aws", "@pulumi/github"]);
        for (const peer of OPTIONAL_PEERS) {
            expect(manifest.dependencies[peer], peer).toBeUndefined();
        }
        // The declarations reachable from the package's types: none imports an optional peer,
        // so a TypeScript program without them compiles even with skipLibCheck off.
        const reached = new Set<string>();
        const external = new Set<string>();
        const visit = (file: string): void => {
            if (reached.has(file)) {
                return;
            }
            reached.add(file);
            for (const [, specifier] of fs.readFileSync(file, "utf8").matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
                if (!specifier.startsWith(".")) {
                    external.add(specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/"));
                    continue;
                }
                const base = path.resolve(path.dirname(file), specifier);
                const target = [`${base}.d.ts`, path.join(base, "index.d.ts")].find((candidate) => fs.existsSync(candidate));
                expect(target, `${file} -> ${specifier}`).toBeDefined();
                visit(target!);
            }
        };
        visit(path.join(packageDir, "dist", "index.d.ts"));
        expect(reached.size).toBeGreaterThan(10);
        expect([...external].filter((name) => OPTIONAL_PEERS.includes(name))).toEqual([]);
    });

    it("holds compiled JavaScript with types, the hosts' shell scripts and the changelog, and nothing of the program, cli, harness, tests or bench", () => {
        const files = packed.files.map((file) => file.path);
        expect(files).toEqual(expect.arrayContaining(["package.json", "README.md", "CHANGELOG.md", "dist/index.js", "dist/index.d.ts", "dist/setup/cacheSetup.d.ts"]));
        const scripts = fs.readdirSync(path.join(PROJECT_ROOT, "components", "hosts", "sh")).map((name) => `dist/hosts/sh/${name}`);
        expect(files).toEqual(expect.arrayContaining(scripts));
        const sources = fs.readdirSync(path.join(PROJECT_ROOT, "components")).filter((name) => name.endsWith(".ts")).map((name) => `dist/${name.replace(/\.ts$/, ".js")}`);
        expect(files).toEqual(expect.arrayContaining(sources));
        const outside = files.filter((file) => !/^(dist\/|package\.json$|README\.md$|CHANGELOG\.md$|LICENSE$)/.test(file));
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
        // Installed as a hosts-only program would have it: neither optional peer is there.
        for (const peer of OPTIONAL_PEERS) {
            expect(() => require.resolve(peer, { paths: [packageDir] }), peer).toThrow();
        }
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

    it("without an optional peer, the mirror and GitHub CI say which package to install when used", () => {
        const cache = '{ name: "consumer", publicKeys: ["consumer.cachix.org-1:mgH0q9dt3ZI9puHEfIGDnkRBfT80I3vfEh4Wda2B0rk="] }';
        const attempt = (construct: string) =>
            run(
                "node",
                [
                    "-e",
                    [
                        'const pulumi = require("@pulumi/pulumi");',
                        'pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name, state: a.inputs }), call: (a) => a.inputs }, "consumer", "dev", false);',
                        'const lib = require("nix-cache");',
                        `try { ${construct}; console.log("constructed"); } catch (error) { console.log(error.message); }`,
                    ].join("\n"),
                ],
                { cwd: work },
            );
        expect(attempt(`new lib.S3Mirror("m", { cache: ${cache}, mirror: { bucket: "consumer-nix-cache", region: "us-east-1" } })`)).toContain(
            "needs the package @pulumi/aws, an optional peer dependency of nix-cache that is not installed; install it beside nix-cache (npm install @pulumi/aws)",
        );
        expect(attempt(`new lib.GithubCi("ci", { cache: ${cache}, github: { owner: "acme", repositories: [{ name: "app", branch: "main" }] }, authToken: pulumi.secret("t") })`)).toContain(
            "needs the package @pulumi/github, an optional peer dependency of nix-cache that is not installed; install it beside nix-cache (npm install @pulumi/github)",
        );
    });
});
