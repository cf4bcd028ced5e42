import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { checkedDeployTimeValue, validatedSections } from "../../components/args/validate";
import { loadStackModel } from "../../components/config/load";
import { ConfigValidationError } from "../../components/config/problems";
import { describeKey, describeValue } from "../../components/config/redact";
import { readSecrets } from "../../components/setup/stackSecrets";
import { rawConfigFromStackFile, stackFileProblems } from "../../components/config/sources";
import { ATPROTO_KEY, HOST_KEY, MINIMAL, problemLines, rawConfig } from "../support/config";

const TOKEN = "ghp_Red4ctionT0kenV4lueF0rByteTests777";

/** The problems of loading `values` (un-namespaced keys), as `path: message` lines. */
function problemsOf(values: Record<string, unknown>, secrets: Record<string, string> = { sshPrivateKey: "(secret)" }): string[] {
    return problemLines(() => loadStackModel(rawConfig(values, secrets), { mode: "render" }));
}

describe("redaction covers every shape a value can have", () => {
    it.each([
        ["a Buffer of a token", Buffer.from(TOKEN)],
        ["a Uint8Array of a token", new TextEncoder().encode(TOKEN)],
        ["an ArrayBuffer of a token", new TextEncoder().encode(TOKEN).buffer],
        ["a list of a token's bytes", [...Buffer.from(TOKEN)]],
        ["a Buffer's JSON", JSON.parse(JSON.stringify(Buffer.from(TOKEN)))],
        ["a raw 64-byte key as bytes", Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37 + 11) % 256))],
        ["a map holding a token", new Map([["k", TOKEN]])],
        ["a set holding a token", new Set([TOKEN])],
        ["a token nested deep", { a: [{ b: { c: [[{ d: TOKEN }]] } }] }],
    ])("hides %s", (_what, value) => {
        const shown = describeValue(value);
        expect(shown).toMatch(/^a value that looks like .* \(hidden\)$/);
        expect(shown).not.toContain(TOKEN);
        expect(shown).not.toMatch(/\d+,\d+,\d+/);
    });

    it("never prints bytes, even harmless ones", () => {
        expect(describeValue(Buffer.from("hello"))).toBe("binary data (5 bytes)");
        expect(describeValue(new Uint8Array([1, 2, 3]))).toBe("binary data (3 bytes)");
    });

    it("hides a value nested deeper than it searches", () => {
        let deep: unknown = "plain";
        for (let i = 0; i < 30; i++) {
            deep = { next: deep };
        }
        expect(describeValue(deep)).toBe("a value that looks like a value nested too deep to check (hidden)");
    });

    it("cuts a long value and a long key, giving their length", () => {
        expect(describeValue("x".repeat(4096))).toBe(`"${"x".repeat(72)}"... (4096 characters)`);
        expect(describeKey("k".repeat(300))).toBe(`${"k".repeat(72)}... (300 characters)`);
        expect(describeValue("short")).toBe('"short"');
    });

    it("hides a Buffer given where a string is expected", () => {
        const problems = problemsOf({ ...MINIMAL, hosts: [{ name: "b", kind: "nix", address: Buffer.from(TOKEN), insecureSkipHostKeyVerification: true }] });
        expect(problems).toEqual(["nix-cache:hosts[0].address: expected a string; got a value that looks like a GitHub token (hidden)"]);
    });
});

describe("only a document's own keys count", () => {
    const host = { name: "b", kind: "nix", address: "203.0.113.10", hostKey: HOST_KEY };

    it.each(["__proto__", "constructor", "prototype", "toString", "hasOwnProperty"])("refuses %s as a key of every mapping", (key) => {
        const withKey = (value: Record<string, unknown>) => JSON.parse(JSON.stringify({ ...value, [key]: { url: "https://evil.example.org" } })) as Record<string, unknown>;
        const problems = problemsOf({
            ...withKey({}),
            cache: withKey(MINIMAL.cache),
            hosts: [withKey(host)],
            mirror: withKey({ bucket: "atproto-nix-cache" }),
        });
        for (const at of [`nix-cache:${key}`, `nix-cache:cache.${key}`, `nix-cache:hosts[0].${key}`, `nix-cache:mirror.${key}`]) {
            expect(problems.some((p) => p.startsWith(`${at}: unknown`)), `${at} in ${problems.join("\n")}`).toBe(true);
        }
    });

    it.each(["constructor", "toString", "valueOf", "hasOwnProperty", "__proto__"])("refuses the secret name %s, whether or not it is set", (name) => {
        for (const secrets of [{}, { [name]: "(secret)" }]) {
            const problems = problemsOf({ ...MINIMAL, hosts: [{ ...host, privateKeySecret: name }] }, secrets);
            expect(problems.some((p) => p.startsWith("nix-cache:hosts[0].privateKeySecret: ")), problems.join("\n")).toBe(true);
        }
    });

    it("refuses __proto__ in component arguments too", () => {
        const cache = JSON.parse(`{"name": "atproto", "publicKeys": ["${ATPROTO_KEY}"], "__proto__": {"private": true}}`);
        expect(() => validatedSections("CacheIdentity", "t", { cache })).toThrow(/cache\.__proto__: unknown key/);
    });

    it("checks caches added at deploy time like the configured ones", () => {
        const added = [{ url: "https://ci:DeployTimePassw0rd@mirror.example.org", publicKeys: [] }];
        expect(() => checkedDeployTimeValue("NixHost", "h", "addedCaches", added)).toThrow(
            /^NixHost h: invalid arguments \(1 problem\):\n {2}- addedCaches\[0\]\.url: holds what looks like a URL with credentials \(hidden\)/,
        );
        expect(() => checkedDeployTimeValue("NixHost", "h", "addedCaches", added)).not.toThrow(/DeployTimePassw0rd/);
        const fine = [{ url: "https://mirror.example.org?priority=50", publicKeys: [ATPROTO_KEY] }];
        expect(checkedDeployTimeValue("NixHost", "h", "addedCaches", fine)).toBe(fine);
    });

    it("walks a value that refers to itself once", () => {
        const looped: Record<string, unknown> = { url: "https://cache.example.org" };
        looped.self = looped;
        expect(() => checkedDeployTimeValue("NixHost", "h", "addedCaches", [looped])).not.toThrow();
    });

    it("reads no secret through an inherited name", () => {
        const model = loadStackModel(rawConfig({ ...MINIMAL, hosts: [host] }, { sshPrivateKey: "k" }), { mode: "render" });
        const secrets = readSecrets(model, { requireSecret: (key: string) => `secret:${key}` } as never);
        expect(Object.keys(secrets.sshPrivateKeys ?? {})).toEqual(["sshPrivateKey"]);
        expect((secrets.sshPrivateKeys as Record<string, unknown>).constructor).toBeUndefined();
    });
});

describe("stack files", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostile-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const read = (text: string) => {
        const file = path.join(dir, `Pulumi.${Math.random().toString(36).slice(2)}.yaml`);
        fs.writeFileSync(file, text);
        return rawConfigFromStackFile(file);
    };

    it("refuses a setting spelled bare and namespaced, naming both", () => {
        const raw = read("config:\n  nix-cache:mirror: {bucket: a-bucket}\n  mirror: {bucket: b-bucket}\n");
        expect(raw.problems).toEqual([{ path: "nix-cache:mirror", message: "is set twice in this file, as nix-cache:mirror and mirror; expected one of them" }]);
    });

    it("says how to set a secret when one spelling of it is in plain text, never printing it", () => {
        const raw = read('config:\n  nix-cache:cachixAuthToken: {secure: v1:abc}\n  cachixAuthToken: "plain-token-value-9"\n');
        expect(raw.problems?.[0].message).toBe(
            "is set twice in this file, as nix-cache:cachixAuthToken and cachixAuthToken; one of them is in plain text in the file: remove both and set it with `pulumi config set --secret cachixAuthToken`",
        );
        expect(() => loadStackModel(raw, { mode: "render" })).toThrow(ConfigValidationError);
        expect(JSON.stringify(raw.problems)).not.toContain("plain-token-value-9");
    });

    it("lets a running program see a key spelled twice in the stack file Pulumi read (its project's stackConfigDir)", () => {
        const project = fs.mkdtempSync(path.join(dir, "project-"));
        fs.mkdirSync(path.join(project, "stacks"));
        fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: p\nruntime: nodejs\nstackConfigDir: stacks\n");
        fs.writeFileSync(path.join(project, "stacks", "Pulumi.prod.yaml"), "config:\n  nix-cache:cache: {name: a}\n  cache: {name: b}\n");
        expect(stackFileProblems(project, "prod")).toEqual([{ path: "nix-cache:cache", message: "is set twice in this file, as nix-cache:cache and cache; expected one of them" }]);
        // A stack the project keeps no file for (an inline program's) has none.
        expect(stackFileProblems(project, "other")).toEqual([]);
    });

    it.each(["!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1]", "!!pairs [a: 1]", "!!timestamp 2026-01-01"])("refuses the tag of %s", (value) => {
        expect(() => read(`config:\n  nix-cache:useCacheNixosOrg: ${value}\n`)).toThrow(/Unresolved tag: tag:yaml.org,2002:/);
    });

    it.each(["!!str x", "!!int 3", "!!bool true", "!!float 1.5", "!!null ''", "!!map {a: 1}", "!!seq [1]"])("takes the core tag of %s", (value) => {
        expect(() => read(`config:\n  nix-cache:other: ${value}\n`)).not.toThrow();
    });
});
