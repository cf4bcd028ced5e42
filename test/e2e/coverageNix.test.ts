import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cacheCoverage } from "../../cli/coverage";
import { coverageExitCode, CoverageRow, coverageSummary, formatCoverageTable } from "../../cli/coveragePlan";
import { CacheServer, serveCacheDir } from "../../scripts/localhost/cacheServer";
import { exec, execOk } from "../../scripts/localhost/exec";
import { generateCacheKey } from "../../scripts/localhost/nixStore";
import { requireTools } from "../support/tools";
import { buildFlakeTarget, copySigned, writeCoverageFlake } from "./support/coverageFlake";

// `npm run coverage` against real Nix (flake evaluation, `nix copy` into signed caches) and
// real caches: the org's private cache over HTTP, which demands its token as netrc password, a
// public extra one over HTTP with a store parameter in its URL, and a `file://` one, which is
// asked through Nix. The foreign system's packages are only evaluated.

const tools = requireTools(["nix", "nix-store"], "install Debian's nix-bin (bash scripts/system-deps.sh)");
// This machine's system (builds run here) and one that is only ever evaluated.
let NATIVE: string;
let FOREIGN: string;
const TOKEN = "cov-token.e2e_0123";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-coverage-"));
const flake = path.join(work, "flake");
const stacksDir = path.join(work, "stacks");
let privateCache: CacheServer;
let extraCache: CacheServer;
let mirrorServer: CacheServer;
let mirrorKey: string;
let built: Record<string, Record<string, string>>;

beforeAll(async () => {
    if (tools.skip) {
        return;
    }
    NATIVE = (await execOk("nix", ["--extra-experimental-features", "nix-command", "eval", "--impure", "--raw", "--expr", "builtins.currentSystem"])).trim();
    FOREIGN = NATIVE === "aarch64-darwin" ? "x86_64-linux" : "aarch64-darwin";
    writeCoverageFlake(flake, `${process.pid}-${Date.now()}`, NATIVE, FOREIGN);
    const ownKey = await generateCacheKey(work, "e2e.cachix.org-1");
    const extraKey = await generateCacheKey(work, "extra-cache-1");
    const strangerKey = await generateCacheKey(work, "stranger-1");
    built = {};
    for (const target of ["hello", "multi", "lonely", "stranger", "local"]) {
        built[target] = await buildFlakeTarget(flake, NATIVE, target);
    }
    // hello in the org's cache, multi in the extra one, local in the file:// one, stranger in
    // the org's cache signed by a key it does not have; lonely nowhere.
    await copySigned(Object.values(built.hello), path.join(work, "own"), ownKey.secretFile);
    await copySigned(Object.values(built.multi), path.join(work, "extra"), extraKey.secretFile);
    await copySigned(Object.values(built.stranger), path.join(work, "own"), strangerKey.secretFile);
    const localKey = await generateCacheKey(work, "local-cache-1");
    await copySigned(Object.values(built.local), path.join(work, "local"), localKey.secretFile);
    privateCache = await serveCacheDir(path.join(work, "own"), { token: () => TOKEN });
    extraCache = await serveCacheDir(path.join(work, "extra"));
    // A public S3 mirror on a custom endpoint is read at ENDPOINT/BUCKET: a served directory
    // whose BUCKET subdirectory is the cache, holding lonely signed with the mirror's key.
    const mirror = await generateCacheKey(work, "e2e-mirror-1");
    mirrorKey = mirror.publicKey;
    await copySigned(Object.values(built.lonely), path.join(work, "mirror", "e2e-mirror"), mirror.secretFile);
    mirrorServer = await serveCacheDir(path.join(work, "mirror"));
    fs.mkdirSync(stacksDir);
    const config = {
        "nix-cache:cache": { name: "e2e", url: privateCache.url, publicKeys: [ownKey.publicKey], private: true },
        "nix-cache:useCacheNixosOrg": false,
        "nix-cache:extraCaches": [
            { url: extraCache.url, publicKeys: [extraKey.publicKey] },
            { url: `file://${path.join(work, "local")}`, publicKeys: [localKey.publicKey] },
        ],
        "nix-cache:github": {
            owner: "e2e-org",
            repositories: [{ name: "app", targets: ["hello", "multi", "lonely", "stranger", "local"], targetsBySystem: { [FOREIGN]: ["hello"] } }],
            workflow: { systems: [NATIVE, FOREIGN] },
        },
    };
    fs.writeFileSync(path.join(stacksDir, "Pulumi.e2e.yaml"), stringify({ config }));
    const withMirror = { ...config, "nix-cache:mirror": { bucket: "e2e-mirror", endpoint: mirrorServer.url } };
    fs.writeFileSync(path.join(stacksDir, "Pulumi.mirrored.yaml"), stringify({ config: withMirror }));
    fs.writeFileSync(path.join(work, "netrc"), `machine 127.0.0.1 password ${TOKEN}\n`);
    fs.writeFileSync(path.join(work, "wrong-netrc"), "machine 127.0.0.1 password not-the-token\n");
});

afterAll(async () => {
    await privateCache?.close();
    await extraCache?.close();
    await mirrorServer?.close();
    fs.rmSync(work, { recursive: true, force: true });
});

const byTarget = (rows: readonly CoverageRow[], system: string, target: string, output = "out") => rows.find((r) => r.system === system && r.target === target && r.output === output);

describe.skipIf(tools.skip)("npm run coverage (real Nix flake evaluation, real signed caches over HTTP)", () => {
    it("finds each output of the stack's targets per system in the cache that holds it signed, with its size", async () => {
        const rows = await cacheCoverage("e2e", { flake, stacksDir, netrcFile: path.join(work, "netrc"), jobs: 3 });
        expect(rows.map((r) => `${r.system} ${r.target} ${r.output} ${r.status}`)).toEqual([
            `${NATIVE} hello out cached`,
            `${NATIVE} multi dev cached`,
            `${NATIVE} multi out cached`,
            `${NATIVE} lonely out missing`,
            `${NATIVE} stranger out missing`,
            `${NATIVE} local out cached`,
            `${FOREIGN} hello out missing`,
        ]);
        expect(byTarget(rows, NATIVE, "hello")).toMatchObject({ cache: privateCache.url, storePath: built.hello.out });
        expect(byTarget(rows, NATIVE, "hello")!.narSize).toBeGreaterThan(0);
        expect(byTarget(rows, NATIVE, "multi", "dev")).toMatchObject({ cache: extraCache.url, storePath: built.multi.dev });
        // Asked through Nix (`nix path-info --store file://...`), signature checked the same way.
        expect(byTarget(rows, NATIVE, "local")).toMatchObject({ cache: `file://${path.join(work, "local")}`, storePath: built.local.out });
        expect(byTarget(rows, NATIVE, "local")!.narSize).toBeGreaterThan(0);
        expect(byTarget(rows, NATIVE, "stranger")!.notes).toEqual([`${privateCache.url} has it, but signed only by stranger-1, none of its keys`]);
        // The foreign package was evaluated (its path is known) but never built.
        expect(byTarget(rows, FOREIGN, "hello")!.storePath).toMatch(/^\/nix\/store\/[a-z0-9]{32}-hello-/);
        expect(fs.existsSync(byTarget(rows, FOREIGN, "hello")!.storePath!)).toBe(false);
        expect(coverageExitCode(rows)).toBe(1);
        expect(coverageSummary(rows)).toMatch(/^4 of 7 outputs cached \(1 in http:\/\/127\.0\.0\.1:\d+, 2 in http:\/\/127\.0\.0\.1:\d+, 1 in file:\/\/\S+; [\d.]+ \S+\), 3 missing$/);
        expect(formatCoverageTable(rows)).toMatch(new RegExp(`^hello\\s+${NATIVE}\\s+out\\s+${privateCache.url.replace(/\./g, "\\.")}\\s+\\d+ B$`, "m"));
        // The private cache was asked with the token; the extra one without.
        expect(privateCache.requests.some((r) => r.endsWith(" 200"))).toBe(true);
        expect(privateCache.requests.some((r) => r.endsWith(" 401"))).toBe(false);
    });

    it("the targets and systems given replace the stack's; all cached exits 0", async () => {
        const rows = await cacheCoverage("e2e", { flake, stacksDir, netrcFile: path.join(work, "netrc"), targets: ["hello", "multi"], systems: [NATIVE] });
        expect(rows.map((r) => `${r.target} ${r.output} ${r.status}`)).toEqual(["hello out cached", "multi dev cached", "multi out cached"]);
        expect(coverageExitCode(rows)).toBe(0);
    });

    it("a wrong or missing token is an error naming the cache, never a silent miss, and the token is never shown", async () => {
        for (const netrcFile of [path.join(work, "wrong-netrc"), undefined]) {
            const rows = await cacheCoverage("e2e", { flake, stacksDir, netrcFile, targets: ["multi", "lonely"], systems: [NATIVE] });
            const lonely = byTarget(rows, NATIVE, "lonely")!;
            expect(lonely.status).toBe("error");
            expect(lonely.notes.join("\n")).toContain(`${privateCache.url} answered 401`);
            // Found in the extra cache, so the private one's refusal does not matter there.
            expect(byTarget(rows, NATIVE, "multi")!.status).toBe("cached");
            expect(coverageExitCode(rows)).toBe(3);
            expect(JSON.stringify(rows)).not.toContain("not-the-token");
        }
    });

    it("with an S3 mirror: asks for its key, as verify does, then finds what only the mirror has", async () => {
        const options = { flake, stacksDir, netrcFile: path.join(work, "netrc"), targets: ["lonely"], systems: [NATIVE] };
        await expect(cacheCoverage("mirrored", options)).rejects.toThrow(/^stack mirrored has an S3 mirror, whose current key "e2e-mirror-1" .* --mirror-key /);
        const [lonely] = await cacheCoverage("mirrored", { ...options, mirrorKey });
        // The mirror's substituter URL carries `?priority=`, which is not part of its paths.
        expect(lonely).toMatchObject({ status: "cached", cache: `${mirrorServer.url}/e2e-mirror?priority=50` });
        expect(mirrorServer.requests.filter((r) => r.endsWith(".narinfo 200"))).toHaveLength(1);
    });

    it("a target the flake lacks is an error row; other targets are still checked", async () => {
        const rows = await cacheCoverage("e2e", { flake, stacksDir, netrcFile: path.join(work, "netrc"), targets: ["hello", "absent"], systems: [NATIVE] });
        expect(rows.map((r) => `${r.target} ${r.status}`)).toEqual(["hello cached", "absent error"]);
        expect(rows[1].notes).toEqual([`${flake} has no package absent for ${NATIVE}`]);
    });

    it("as a command: the table and summary, --json, and the exit status", async () => {
        const tsx = path.resolve(__dirname, "../../node_modules/.bin/tsx");
        const cli = path.resolve(__dirname, "../../cli/coverage.ts");
        const base = [cli, "--stack", "e2e", "--stacks-dir", stacksDir, "--flake", flake, "--netrc", path.join(work, "netrc")];
        const table = await exec(tsx, base);
        expect(table.code, table.stderr).toBe(1);
        expect(table.stdout).toMatch(/^PACKAGE\s+SYSTEM\s+OUTPUT\s+CACHE\s+SIZE$/m);
        expect(table.stdout).toMatch(new RegExp(`^lonely\\s+${NATIVE}\\s+out\\s+MISSING\\s+-$`, "m"));
        expect(table.stdout.trimEnd().split("\n").pop()).toMatch(/^4 of 7 outputs cached .*, 3 missing$/);
        expect(table.stderr).toMatch(/coverage: evaluated 6\/6 targets, looked up 21\/21 paths/);
        const json = await exec(tsx, [...base, "--json", "--targets", "hello", "--systems", NATIVE]);
        expect(json.code, json.stderr).toBe(0);
        const parsed = JSON.parse(json.stdout) as { exitCode: number; summary: string; outputs: CoverageRow[] };
        expect(parsed.exitCode).toBe(0);
        expect(parsed.outputs).toEqual([expect.objectContaining({ target: "hello", system: NATIVE, output: "out", status: "cached", cache: privateCache.url })]);
        for (const result of [table, json]) {
            expect(result.stdout + result.stderr).not.toContain(TOKEN);
        }
        const usage = await exec(tsx, [cli, "--stack", "e2e"]);
        expect(usage.code).toBe(2);
        expect(usage.stderr).toMatch(/Missing --flake\.\nUsage: npm run coverage -- --stack NAME --flake PATH/);
    });
});
