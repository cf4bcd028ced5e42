import * as path from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../cli/args";

// The component schema analyzer of @pulumi/pulumi (what `pulumi package get-schema` runs in the
// provider) accepts all six components' args and outputs as the TypeScript types declare them.

const COMPONENTS = ["CacheSetup", "CacheIdentity", "NixHost", "GithubCi", "S3Mirror", "MirrorCiSecrets"];

interface Property {
    readonly type?: string;
    readonly $ref?: string;
    readonly plain?: boolean;
    readonly optional?: boolean;
    readonly description?: string;
    readonly items?: Property;
}
interface Analyzed {
    readonly components: Record<string, { inputs: Record<string, Property>; outputs: Record<string, Property>; description?: string }>;
    readonly typeDefinitions: Record<string, { properties?: Record<string, Property>; enum?: { value: string }[] }>;
    readonly dependencies: readonly unknown[];
}

let analyzed: Analyzed;
beforeAll(async () => {
    const { Analyzer } = (await import("@pulumi/pulumi/provider/experimental/analyzer")) as unknown as {
        Analyzer: new (dir: string, name: string, packageJSON: object, components: Set<string>) => { analyze(): Analyzed };
    };
    const dir = path.join(PROJECT_ROOT, "provider");
    const manifest = (await import(path.join(dir, "package.json"))) as object;
    analyzed = new Analyzer(dir, "nix-cache", manifest, new Set(COMPONENTS)).analyze();
});

describe("the component schema analyzer", () => {
    it("accepts every component, with no other package's types", () => {
        expect(Object.keys(analyzed.components).sort()).toEqual([...COMPONENTS].sort());
        expect(analyzed.dependencies).toEqual([]);
    });

    it("reads the sections as plain values and the secrets as inputs", () => {
        const setup = analyzed.components.CacheSetup.inputs;
        expect(setup.cache).toMatchObject({ $ref: "#/types/nix-cache:index:CacheArgs", plain: true });
        expect(setup.hosts).toMatchObject({ type: "array", optional: true, plain: true });
        expect(setup.cachixAuthToken).toEqual(expect.objectContaining({ type: "string", optional: true }));
        expect(setup.cachixAuthToken.plain).toBeUndefined();
        expect(analyzed.components.GithubCi.inputs.authToken.plain).toBeUndefined();
        expect(analyzed.components.GithubCi.inputs.authToken.optional).toBeUndefined();
        expect(analyzed.components.NixHost.inputs.privateKey.plain).toBeUndefined();
    });

    it("turns the choices into named enums with the stack file's values", () => {
        expect(analyzed.components.NixHost.inputs.host.$ref).toBe("#/types/nix-cache:index:HostArgs");
        expect(analyzed.typeDefinitions.HostArgs.properties?.kind.$ref).toBe("#/types/nix-cache:index:NixHostKind");
        expect(analyzed.typeDefinitions.NixHostKind.enum?.map((member) => member.value)).toEqual(["nixos", "nix", "user"]);
        expect(analyzed.typeDefinitions.SecretScope.enum?.map((member) => member.value)).toEqual(["repository", "organization", "environment"]);
    });

    it("gives every component, input and type property a description", () => {
        const undocumented = [
            ...Object.entries(analyzed.components).flatMap(([name, c]) => [
                ...(c.description ? [] : [name]),
                ...Object.entries({ ...c.inputs, ...c.outputs }).filter(([, p]) => !p.description).map(([key]) => `${name}.${key}`),
            ]),
            ...Object.entries(analyzed.typeDefinitions).flatMap(([name, t]) =>
                Object.entries(t.properties ?? {}).filter(([, p]) => !p.description).map(([key]) => `${name}.${key}`),
            ),
        ];
        expect(undocumented).toEqual([]);
    });
});
