import { describe, expect, it } from "vitest";
import { stackFileJsonSchema } from "../../cli/schema";
import { filesWithCredentials } from "../../components/config/documentRules";
import { loadStackModel } from "../../components/config/load";
import { ConfigValidationError, configPath } from "../../components/config/problems";
import { credentialShape } from "../../components/formats/secretLike";
import { ATPROTO_KEY, HOST_KEY, rawConfig } from "../support/config";

/** One of each credential shape, as a user might paste it. */
const CREDENTIALS = {
    "a GitHub token": "ghp_Cred3ntialF1eldsT0kenForEveryField99",
    "a token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmaWVsZHMifQ.c2lnbmF0dXJlLWZpZWxkcw",
    "an AWS access key": "AKIAFIELDSCOVERAGE7Q",
    "a private key": "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ",
    "a URL with credentials": "https://ci:FieldsPassw0rd@cache.example.org",
    "a Nix signing key": `fields-1:${Buffer.alloc(64, 9).toString("base64")}`,
} as const;

/**
 * A stack using every section and field, each valid: a credential is put into one field of it at
 * a time. A field the schema grows is reached through the schema, and set here in its parent.
 */
const FULL = {
    cache: { name: "atproto", url: "https://atproto.cachix.org", publicKeys: [ATPROTO_KEY], private: true },
    extraCaches: [{ name: "nix-community", url: "https://nix-community.cachix.org", publicKeys: [`nix-community.cachix.org-1:${ATPROTO_KEY.split(":")[1]}`] }],
    github: {
        owner: "atproto-nix",
        repositories: [{ name: "nur", branch: "main", targets: ["microcosm-all"], targetsBySystem: { "x86_64-linux": ["tools"] } }],
        secret: { scope: "environment", environment: "nix-cache", name: "CACHIX_SIGNING_KEY", credential: "signingKey", authTokenName: "CACHIX_TOKEN" },
        workflow: {
            systems: [{ system: "x86_64-linux", runsOn: "ubuntu-latest" }],
            extraNixConfig: "extra-experimental-features = nix-command",
            commitAuthor: "Nix Cache",
            commitEmail: "ci@example.org",
            actions: { pins: { "actions/checkout": "0".repeat(40) } },
            delivery: "pullRequest",
        },
    },
    hosts: [{ name: "builder", kind: "nixos", address: "203.0.113.10", hostKey: HOST_KEY, proxy: { address: "198.51.100.7", hostKey: HOST_KEY }, privateKeySecret: "builderKey" }],
    mirror: { bucket: "atproto-nix-cache", endpoint: "https://s3.example.org", server: "minio", publicUrl: "https://cdn.example.org/nix", keyName: "atproto-mirror-2", previousKeyName: "atproto-mirror-1" },
};
const SECRETS = { cachixAuthToken: "(secret)", cachixSigningKey: "(secret)", builderKey: "(secret)" };

/** A sample key for each map whose keys the user chooses, so that its values are reached. */
const MAP_KEYS: Record<string, string> = { targetsBySystem: "x86_64-linux", pins: "actions/checkout" };

type JsonSchema = { $ref?: string; type?: string | string[]; properties?: Record<string, JsonSchema>; items?: JsonSchema; anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; additionalProperties?: JsonSchema | boolean };

/** Every path (in the stack document) at which the schema takes a string; a map's key is named by {@link MAP_KEYS}. */
function stringPaths(schema: JsonSchema, root: { $defs: Record<string, JsonSchema> }, path: (string | number)[], seen = new Set<JsonSchema>()): (string | number)[][] {
    if (schema.$ref !== undefined) {
        return stringPaths(root.$defs[schema.$ref.replace("#/$defs/", "")], root, path, seen);
    }
    const types = [schema.type ?? []].flat();
    const found: (string | number)[][] = types.includes("string") ? [path] : [];
    for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) {
        found.push(...stringPaths(branch, root, path, seen));
    }
    for (const [key, property] of Object.entries(schema.properties ?? {})) {
        found.push(...stringPaths(property, root, [...path, key], seen));
    }
    if (schema.items !== undefined) {
        found.push(...stringPaths(schema.items, root, [...path, 0], seen));
    }
    if (typeof schema.additionalProperties === "object") {
        const name = String(path[path.length - 1]);
        if (MAP_KEYS[name] === undefined) {
            throw new Error(`${path.join(".")} is a map with no sample key in MAP_KEYS: add one so its values are checked`);
        }
        found.push(...stringPaths(schema.additionalProperties, root, [...path, MAP_KEYS[name]], seen));
    }
    return found;
}

/** `doc` with `value` at `path`, objects and lists made along the way. */
function withValue(doc: unknown, path: readonly (string | number)[], value: unknown): unknown {
    if (path.length === 0) {
        return value;
    }
    const [first, ...rest] = path;
    if (typeof first === "number") {
        const list = Array.isArray(doc) ? [...doc] : [];
        list[first] = withValue(list[first], rest, value);
        return list;
    }
    const object = typeof doc === "object" && doc !== null && !Array.isArray(doc) ? { ...doc } : {};
    return { ...object, [first]: withValue((object as Record<string, unknown>)[first], rest, value) };
}

const jsonSchema = stackFileJsonSchema() as { $defs: Record<string, JsonSchema> };
const isSecretSlot = (schema: JsonSchema): boolean => Object.keys(schema.properties ?? {}).join() === "secure" || (schema.anyOf ?? []).some(isSecretSlot);
/** Where a string goes that is never written anywhere: the `secure:` ciphertext of a secret. */
const secretSlots = Object.keys(jsonSchema.$defs).filter((key) => isSecretSlot(jsonSchema.$defs[key]));
const fields = [...new Map(
    Object.keys(jsonSchema.$defs)
        .filter((key) => !secretSlots.includes(key))
        .flatMap((key) => stringPaths(jsonSchema.$defs[key], jsonSchema, [key]))
        .map((path) => [JSON.stringify(path), path] as const),
).values()];

describe("every configured string reaches an artifact, so none may hold a credential", () => {
    it("accepts the full stack the fields are tried in", () => {
        expect(() => loadStackModel(rawConfig(FULL, SECRETS), { mode: "render" })).not.toThrow();
    });

    it("finds the fields through the schema, only the secrets' ciphertext exempt", () => {
        expect(secretSlots.sort()).toEqual(["cachixAuthToken", "cachixReadToken", "cachixSigningKey", "sshPrivateKey"]);
        const shown = fields.map((path) => path.join("."));
        // A sample of each section, and values of maps and lists.
        for (const field of ["cache.url", "extraCaches.0.name", "github.workflow.extraNixConfig", "github.repositories.0.targetsBySystem.x86_64-linux.0", "github.workflow.actions.pins.actions/checkout", "hosts.0.proxy.address", "mirror.publicUrl"]) {
            expect(shown).toContain(field);
        }
        expect(fields.length).toBeGreaterThan(50);
    });

    it.each(fields.map((path) => [path.join("."), path] as const))("refuses a credential in %s by its key path, never printing it", (_name, path) => {
        for (const credential of Object.values(CREDENTIALS)) {
            const [top, ...rest] = path;
            const doc = { ...FULL, [top]: withValue((FULL as Record<string, unknown>)[top], rest, credential) };
            let error: unknown;
            try {
                loadStackModel(rawConfig(doc, SECRETS), { mode: "render" });
            } catch (caught) {
                error = caught;
            }
            expect(error, `${credential} accepted at ${path.join(".")}`).toBeInstanceOf(ConfigValidationError);
            const problems = (error as ConfigValidationError).problems;
            const at = configPath(path);
            expect(problems.some((p) => p.path === at || p.path.startsWith(`${at}.`) || p.path.startsWith(`${at}[`)), JSON.stringify(problems)).toBe(true);
            expect((error as Error).message).not.toContain(credential);
        }
    });
});

describe("credential shapes", () => {
    it.each(Object.entries(CREDENTIALS))("finds %s anywhere in a text", (what, credential) => {
        expect(credentialShape(credential)).toBe(what);
        expect(credentialShape(`line one\nprefix ${credential} suffix`)).toBe(what);
    });

    it.each([
        ATPROTO_KEY,
        HOST_KEY,
        "0123456789abcdef0123456789abcdef01234567",
        "ssh-ng://nix-ssh@builder.example.org",
        "git+ssh://git@github.com/atproto-nix/nur",
        "https://cache.example.org/?priority=50",
        "s3://bucket?region=us-east-1&secret-key=$KEY_FILE",
        "<secret:cachixAuthToken>",
        "atproto-mirror-1:<public-key-generated-by-pulumi-up>",
        "rotate the PRIVATE KEY of the mirror",
        "FANTASIA0123456789ABCDEFGH",
    ])("finds none in %j", (text) => {
        expect(credentialShape(text)).toBeUndefined();
    });

    it("names the rendered files that would hold one, and only those", () => {
        const files = [
            { target: "github:o/r:.github/workflows/build.yml", content: `name: Build\nenv:\n  X: ${CREDENTIALS["a token"]}\n` },
            { target: "host:b:/etc/nix/nix-cache.conf", content: `trusted-public-keys = ${ATPROTO_KEY}\n` },
        ];
        expect(filesWithCredentials(files)).toEqual(["github:o/r:.github/workflows/build.yml (a token)"]);
    });
});
