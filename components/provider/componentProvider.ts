/**
 * The nix-cache package as a Pulumi component provider: serves a schema and constructs the six
 * components for programs in any Pulumi language. Where the schema comes from is the caller's:
 * the shipped plugin reads the one generated at build time (./index.ts), a checkout analyzes
 * its TypeScript (provider/ at the project root). Nothing here reads TypeScript, so a started
 * plugin only loads the components and the SDK.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConstructResult, Provider } from "@pulumi/pulumi/provider";
import { PROJECT_NAME } from "../config/projectName";
import { CacheIdentity } from "../identity/cacheIdentity";
import { CacheSetup } from "../setup/cacheSetup";
import { CacheSetupArgs } from "../args/setupArgs";
import { cacheSetupArgsFromCachix } from "../setup/cachixCheckedArgs";
import { GithubCi } from "../github/githubCi";
import { MirrorCiSecrets } from "../github/mirrorCiSecrets";
import { NixHost } from "../hosts/nixHost";
import { S3Mirror } from "../mirror/s3Mirror";

/** The schema file the library build writes beside the shipped plugin's entry. */
export const SCHEMA_FILE = "schema.json";

/** Each component the provider serves, by the class name its token ends with. */
export const COMPONENTS = { CacheSetup, CacheIdentity, NixHost, GithubCi, S3Mirror, MirrorCiSecrets } as const;

/** A component's class name, as in its token `nix-cache:index:NAME`. */
export type ComponentName = keyof typeof COMPONENTS;

/** What the provider needs of a package schema: each component's output properties. */
export interface ComponentSchema {
    /** The package version the schema was generated for. */
    readonly version: string;
    /** Resources by token; `properties` are a component's outputs. */
    readonly resources: Readonly<Record<string, { readonly properties?: Readonly<Record<string, unknown>> }>>;
}

/** The component a token names, or a clear error for a token this package does not have. */
export function componentNameOf(type: string): ComponentName {
    const match = /^([^:]+):(index)?:([^:]+)$/.exec(type);
    const name = match?.[3];
    if (match === null || match[1] !== PROJECT_NAME || name === undefined || !Object.hasOwn(COMPONENTS, name)) {
        const known = Object.keys(COMPONENTS).map((component) => `${PROJECT_NAME}:index:${component}`).join(", ");
        throw new Error(`unknown resource type '${type}': the ${PROJECT_NAME} provider serves ${known}`);
    }
    return name as ComponentName;
}

/** The output names the schema gives a component, which construct returns as its state. */
export function outputNamesOf(schema: ComponentSchema, type: string): string[] {
    const resource = schema.resources[type];
    if (resource === undefined) {
        throw new Error(`the ${PROJECT_NAME} schema (version ${schema.version}) has no resource '${type}'`);
    }
    return Object.keys(resource.properties ?? {});
}

/** Where the provider gets its version and (on first use) its schema text. */
export interface SchemaSource {
    /** The package version, reported to the engine. */
    readonly version: string;
    /** The schema as JSON text; called once, when the engine or a construct first needs it. */
    readonly schema: () => Promise<string>;
}

/** The provider: `getSchema` serves the source's schema, `construct` builds a component. */
export class NixCacheProvider implements Provider {
    readonly version: string;
    private schemaText?: Promise<string>;
    private parsed?: Promise<ComponentSchema>;

    constructor(private readonly source: SchemaSource) {
        this.version = source.version;
    }

    getSchema(): Promise<string> {
        this.schemaText ??= this.source.schema();
        return this.schemaText;
    }

    async construct(name: string, type: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions): Promise<ConstructResult> {
        const component = COMPONENTS[componentNameOf(type)];
        this.parsed ??= this.getSchema().then((text) => JSON.parse(text) as ComponentSchema);
        const outputs = outputNamesOf(await this.parsed, type);
        // The engine hands over plain inputs (values and Outputs); each component validates its own.
        // A whole setup is first checked against Cachix, as the stack program does: other languages
        // cannot await that before constructing, so the provider does it for them.
        const args = component === CacheSetup ? await cacheSetupArgsFromCachix(inputs as CacheSetupArgs) : inputs;
        const instance = new component(name, args as never, options);
        const state = Object.fromEntries(outputs.map((key) => [key, (instance as unknown as Record<string, unknown>)[key]]));
        return { urn: instance.urn, state };
    }
}
