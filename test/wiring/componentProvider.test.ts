import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { ATPROTO_KEY } from "../support/config";
import { installMocks, Registered, valueOf } from "../support/mocks";
import type { ComponentSchema } from "../../components/provider/componentProvider";

// The provider both plugin entries serve (components/provider/): construct builds the component
// a token names and returns the outputs the schema names; the schema comes from its source, once.

let registered: Registered[];
beforeAll(async () => {
    registered = await installMocks();
});

const IDENTITY = "nix-cache:index:CacheIdentity";
const SCHEMA: ComponentSchema = { version: "1.2.3", resources: { [IDENTITY]: { properties: { cacheUrl: {}, substituters: {} } } } };
const CACHE = { name: "atproto", publicKeys: [ATPROTO_KEY] };

async function provider(reads: string[] = []) {
    const { NixCacheProvider } = await import("../../components/provider/componentProvider");
    return new NixCacheProvider({
        version: "1.2.3",
        schema: () => {
            reads.push("schema");
            return Promise.resolve(JSON.stringify(SCHEMA));
        },
    });
}

describe("componentNameOf and outputNamesOf", () => {
    it("names the component of each of the package's tokens, and refuses others by token", async () => {
        const { COMPONENTS, componentNameOf } = await import("../../components/provider/componentProvider");
        for (const name of Object.keys(COMPONENTS)) {
            expect(componentNameOf(`nix-cache:index:${name}`)).toBe(name);
        }
        expect(Object.keys(COMPONENTS).sort()).toEqual(["CacheIdentity", "CacheSetup", "GithubCi", "MirrorCiSecrets", "NixHost", "S3Mirror"]);
        expect(() => componentNameOf("nix-cache:index:Nope")).toThrow(/^unknown resource type 'nix-cache:index:Nope': the nix-cache provider serves nix-cache:index:CacheSetup, /);
        expect(() => componentNameOf("other:index:CacheSetup")).toThrow(/unknown resource type 'other:index:CacheSetup'/);
        expect(() => componentNameOf("nix-cache:mod:CacheSetup")).toThrow(/unknown resource type/);
        expect(() => componentNameOf("nix-cache:index:toString")).toThrow(/unknown resource type/);
    });

    it("lists a component's outputs as the schema names them, and says which resource a schema lacks", async () => {
        const { outputNamesOf } = await import("../../components/provider/componentProvider");
        expect(outputNamesOf(SCHEMA, IDENTITY)).toEqual(["cacheUrl", "substituters"]);
        expect(outputNamesOf({ version: "1", resources: { [IDENTITY]: {} } }, IDENTITY)).toEqual([]);
        expect(() => outputNamesOf(SCHEMA, "nix-cache:index:NixHost")).toThrow("the nix-cache schema (version 1.2.3) has no resource 'nix-cache:index:NixHost'");
    });
});

describe("NixCacheProvider under mocks", () => {
    it("constructs the component with the engine's inputs and returns its urn and the schema's outputs", async () => {
        const reads: string[] = [];
        const served = await provider(reads);
        expect(served.version).toBe("1.2.3");
        const result = await served.construct("from-yaml", IDENTITY, { cache: CACHE, useCacheNixosOrg: false }, {});
        expect(Object.keys(result.state)).toEqual(["cacheUrl", "substituters"]);
        expect(await valueOf(result.state.cacheUrl as pulumi.Output<string>)).toBe("https://atproto.cachix.org");
        expect(await valueOf(result.state.substituters as pulumi.Output<string[]>)).toEqual(["https://atproto.cachix.org"]);
        expect(await valueOf(pulumi.output(result.urn))).toMatch(/::nix-cache:index:CacheIdentity::from-yaml$/);
        expect(registered).toContainEqual(expect.objectContaining({ type: IDENTITY, name: "from-yaml", custom: false }));
        // The schema is read once, however often it is asked for.
        expect(await served.getSchema()).toBe(JSON.stringify(SCHEMA));
        await served.construct("again", IDENTITY, { cache: CACHE, useCacheNixosOrg: false }, {});
        expect(reads).toEqual(["schema"]);
    });

    it("refuses an unknown token before creating anything, and passes a component's own validation error on", async () => {
        const served = await provider();
        const before = registered.length;
        await expect(served.construct("x", "nix-cache:index:Nope", {}, {})).rejects.toThrow(/unknown resource type 'nix-cache:index:Nope'/);
        expect(registered.length).toBe(before);
    });

    it("turns wrong arguments into the engine's InputPropertiesError, each problem on its property path", async () => {
        const served = await provider();
        const before = registered.length;
        const failed = await served.construct("bad", IDENTITY, { cache: { name: "Not A Label", publicKeys: ["nope"] }, extraCaches: [{ url: "ftp://x" }] }, {}).catch((e: unknown) => e);
        expect(pulumi.InputPropertiesError.isInstance(failed)).toBe(true);
        const error = failed as pulumi.InputPropertiesError;
        expect(error.message).toBe("CacheIdentity bad: invalid arguments (4 problems):");
        expect(error.errors).toEqual([
            { propertyPath: "cache.name", reason: expect.stringMatching(/^"Not A Label" is not valid; expected /) },
            { propertyPath: "cache.publicKeys[0]", reason: expect.stringMatching(/^"nope" is not valid; expected /) },
            { propertyPath: "extraCaches[0].url", reason: expect.stringMatching(/^"ftp:\/\/x" is not valid; expected /) },
            { propertyPath: "extraCaches[0].publicKeys", reason: expect.stringMatching(/^is required; expected /) },
        ]);
        // An argument that is missing, not malformed, is on its property too.
        const unsigned = await served.construct("nokey", IDENTITY, { cache: { ...CACHE, private: true } }, {}).catch((e: unknown) => e);
        expect((unsigned as pulumi.InputPropertiesError).errors).toEqual([{ propertyPath: "authToken", reason: 'is required: cache "atproto" is private and its netrc needs a token' }]);
        expect(registered.length).toBe(before);
    });
});
