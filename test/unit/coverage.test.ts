import { generateKeyPairSync, sign } from "crypto";
import { describe, expect, it } from "vitest";
import { mapBounded, netrcAuthorization, parseNetrc } from "../../cli/cacheLookup";
import { coverageArgs } from "../../cli/coverage";
import { coverageExitCode, coverageRow, coverageSummary, coverageTargets, formatCoverageTable, formatSize, outputsExpression } from "../../cli/coveragePlan";
import { narFingerprint, narHashForFingerprint, NarInfo, parseNarInfo, signatureNames, storePathHash, trustedSigners } from "../../cli/narinfo";
import { githubModel, ATPROTO_GITHUB } from "../support/githubModels";

const PATH = "/nix/store/0a8vl5y8c5x3kk0m8c2bh9b8x6gnydqk-hello-2.12";
const DEP = "/nix/store/1b9wm6z9d6y4ll1n9d3ci0c9y7hpzfrl-glibc-2.39";

function keyPair(name: string) {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
    return { publicKey: `${name}:${raw.toString("base64")}`, sign: (text: string) => `${name}:${sign(null, Buffer.from(text), privateKey).toString("base64")}` };
}

const INFO: NarInfo = { storePath: PATH, narHash: "sha256:1jdbl75ircqagya3qmcxpwdwkk2jskwp5pjihrd8ib3jyr8gjsfz", narSize: 120, references: [DEP.slice(11)], signatures: [] };

describe("narinfo", () => {
    it("parses what a cache serves and names the file after the path's hash", () => {
        const text = `StorePath: ${PATH}\nURL: nar/x.nar.xz\nCompression: xz\nFileSize: 124\nNarHash: ${INFO.narHash}\nNarSize: 120\nReferences: ${DEP.slice(11)}\nSig: a-1:AAAA\nSig: b-1:BBBB\n`;
        expect(parseNarInfo(text)).toEqual({ ...INFO, fileSize: 124, signatures: ["a-1:AAAA", "b-1:BBBB"] });
        expect(parseNarInfo("StorePath: x\n")).toBeUndefined();
        expect(storePathHash(PATH)).toBe("0a8vl5y8c5x3kk0m8c2bh9b8x6gnydqk");
        expect(storePathHash("/tmp/x")).toBeUndefined();
    });

    it("signs the fingerprint Nix signs, references as full paths", () => {
        expect(narFingerprint(INFO)).toBe(`1;${PATH};${INFO.narHash};120;${DEP}`);
    });

    it("writes nix path-info's SRI NAR hash as the narinfo's sha256:NIX32", () => {
        // The same path's hash, from `nix path-info --json` and from its narinfo.
        expect(narHashForFingerprint("sha256-32n5UPZyrIhahlHecvnUUszJG7+dVTyUfwqzHMuhq8k=")).toBe("sha256:1jdbl75ircqagya3qmcxpwdwkk2jskwp5pjihrd8ib3jyr8gjsfz");
        expect(narHashForFingerprint(INFO.narHash)).toBe(INFO.narHash);
    });

    it("accepts only a valid signature by one of the given keys", () => {
        const own = keyPair("own-1");
        const other = keyPair("other-1");
        const signed = { ...INFO, signatures: [own.sign(narFingerprint(INFO))] };
        expect(trustedSigners(signed, [other.publicKey, own.publicKey])).toEqual(["own-1"]);
        expect(trustedSigners(signed, [other.publicKey])).toEqual([]);
        // A signature under the right name but over other content does not count.
        const forged = { ...INFO, signatures: [own.sign("1;something else")] };
        expect(trustedSigners(forged, [own.publicKey])).toEqual([]);
        expect(signatureNames(forged)).toEqual(["own-1"]);
    });
});

describe("netrc", () => {
    it("reads machine entries as curl does and sends Basic auth with an empty login", () => {
        const netrc = parseNetrc("machine a.example password tok1\nmachine b.example login me password tok2\n");
        expect(netrcAuthorization("https://a.example/x", netrc)).toBe(`Basic ${Buffer.from(":tok1").toString("base64")}`);
        expect(netrcAuthorization("https://b.example", netrc)).toBe(`Basic ${Buffer.from("me:tok2").toString("base64")}`);
        expect(netrcAuthorization("https://c.example", netrc)).toBeUndefined();
        expect(netrcAuthorization("file:///srv/cache", netrc)).toBeUndefined();
    });
});

describe("bounded parallel work", () => {
    it("never runs more than the limit at once, keeps the items' order and reports each as done", async () => {
        let running = 0;
        let most = 0;
        let done = 0;
        const results = await mapBounded([5, 1, 4, 2, 3, 0], 2, async (n) => {
            running++;
            most = Math.max(most, running);
            await new Promise((resolve) => setTimeout(resolve, n * 3));
            running--;
            return n * 10;
        }, () => done++);
        expect(results).toEqual([50, 10, 40, 20, 30, 0]);
        expect(most).toBe(2);
        expect(done).toBe(6);
        expect(await mapBounded([], 4, async () => 1)).toEqual([]);
    });
});

describe("coverage decisions", () => {
    const github = githubModel({ ...ATPROTO_GITHUB, repositories: [{ name: "app", targets: ["a", "b"], targetsBySystem: { "aarch64-darwin": ["a"] } }, { name: "lib" }], workflow: { systems: ["x86_64-linux", "aarch64-darwin"] } }).github;

    it("takes the workflow's targets per system, the given ones instead, each once", () => {
        expect(coverageTargets(github, {})).toEqual([
            { target: "a", system: "x86_64-linux" },
            { target: "b", system: "x86_64-linux" },
            { target: "a", system: "aarch64-darwin" },
            { target: "default", system: "x86_64-linux" },
            { target: "default", system: "aarch64-darwin" },
        ]);
        expect(coverageTargets(github, { repository: "lib", systems: ["aarch64-darwin"] })).toEqual([{ target: "default", system: "aarch64-darwin" }]);
        expect(coverageTargets(github, { targets: ["x", "x"], systems: ["s1"] })).toEqual([{ target: "x", system: "s1" }]);
        expect(coverageTargets(undefined, {})).toEqual([{ target: "default", system: "x86_64-linux" }]);
        expect(() => coverageTargets(github, { repository: "nope" })).toThrow('the stack has no repository "nope"; repositories: app, lib');
    });

    it("evaluates the attribute where nix build looks for it, quoting every value", () => {
        const expression = outputsExpression('/src/my "flake"', { target: "tools.x", system: "aarch64-darwin" });
        expect(expression).toContain('builtins.getFlake "/src/my \\"flake\\""');
        expect(expression).toContain('([ "packages" system ] ++ [ "tools" "x" ])');
        expect(expression).toContain('([ "legacyPackages" system ] ++ [ "tools" "x" ])');
    });

    const own = keyPair("own-1");
    const caches = [{ url: "https://own", publicKeys: [own.publicKey] }, { url: "https://extra", publicKeys: [keyPair("extra-1").publicKey] }];
    const target = { target: "a", system: "x86_64-linux" };
    const signedBy = (sign: (t: string) => string) => ({ kind: "present" as const, info: { ...INFO, fileSize: 60, signatures: [sign(narFingerprint(INFO))] } });

    it("cached in the first cache holding the path signed by its own key; another key's signature does not count", () => {
        expect(coverageRow(target, "out", PATH, caches, [signedBy(own.sign), { kind: "absent" }])).toMatchObject({ status: "cached", cache: "https://own", narSize: 120, fileSize: 60 });
        const stranger = keyPair("stranger-1");
        expect(coverageRow(target, "out", PATH, caches, [signedBy(stranger.sign), { kind: "absent" }])).toMatchObject({
            status: "missing",
            notes: ["https://own has it, but signed only by stranger-1, none of its keys"],
        });
        expect(coverageRow(target, "out", PATH, caches, [{ kind: "absent" }, { kind: "error", reason: "https://extra answered 401" }])).toMatchObject({ status: "error", notes: ["https://extra answered 401"] });
        expect(coverageRow(target, "out", PATH, caches, [signedBy(own.sign), { kind: "error", reason: "x" }]).status).toBe("cached");
    });

    it("summarises, tabulates and gates: 0 all cached, 1 missing, 3 unchecked", () => {
        const cached = coverageRow(target, "out", PATH, caches, [signedBy(own.sign), { kind: "absent" }]);
        const missing = coverageRow({ target: "b", system: "x86_64-linux" }, "out", PATH, caches, [{ kind: "absent" }, { kind: "absent" }]);
        const error = { target: "c", system: "x86_64-linux", status: "error" as const, notes: ["evaluation failed"] };
        expect(coverageExitCode([cached])).toBe(0);
        expect(coverageExitCode([cached, missing])).toBe(1);
        expect(coverageExitCode([cached, missing, error])).toBe(3);
        expect(coverageSummary([cached, missing, error])).toBe("1 of 3 outputs cached (1 in https://own; 120 B), 1 missing, 1 not checked (errors)");
        expect(formatCoverageTable([cached, missing, error])).toBe(
            [
                "PACKAGE  SYSTEM        OUTPUT  CACHE        SIZE",
                "a        x86_64-linux  out     https://own  120 B",
                "b        x86_64-linux  out     MISSING      -",
                "c        x86_64-linux  -       ERROR        -",
                "    - evaluation failed",
                "",
            ].join("\n"),
        );
        expect([formatSize(1023), formatSize(1536), formatSize(20 * 1024 * 1024)]).toEqual(["1023 B", "1.5 KiB", "20.0 MiB"]);
    });

    it("reads the command line strictly", () => {
        expect(coverageArgs(["--stack", "s", "--flake", ".", "--targets", "a, b", "--jobs", "4", "--json"])).toMatchObject({ targets: ["a", "b"], jobs: 4, json: true });
        expect(coverageArgs(["--stack", "s", "--flake", ".", "--jobs", "0"])).toEqual({ error: expect.stringMatching(/^--jobs: expected a whole number from 1 to 64; got "0"/) });
        expect(coverageArgs(["--stack", "s"])).toEqual({ error: expect.stringMatching(/^Missing --flake\./) });
        expect(coverageArgs(["--stack", "s", "--flake", ".", "--targets", "a,${x}", "--systems", "Linux"])).toEqual({
            error: expect.stringMatching(/^--targets: "\$\{x\}" is not a flake attribute .*\n--systems: "Linux" is not a Nix system such as x86_64-linux\nUsage: /),
        });
    });
});
