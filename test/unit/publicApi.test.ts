import * as path from "path";
import * as ts from "typescript";
import { describe, expect, it } from "vitest";
import * as api from "../../components/index";
import { COMPONENTS } from "../../components/provider/componentProvider";

// The package's public API is what components/index.ts exports, types included: a name added
// or removed here is a change users see (the CHANGELOG says which).

const INDEX = path.resolve(__dirname, "../../components/index.ts");

/** Every name components/index.ts exports, types and values, as the compiler reads it. */
function exportedNames(): string[] {
    const program = ts.createProgram([INDEX], { noEmit: true, strict: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS });
    const checker = program.getTypeChecker();
    const module = checker.getSymbolAtLocation(program.getSourceFile(INDEX)!)!;
    return checker.getExportsOfModule(module).map((symbol) => symbol.name).sort();
}

const COMPONENT_NAMES = ["CacheIdentity", "CacheSetup", "GithubCi", "MirrorCiSecrets", "NixHost", "S3Mirror"];
const ARGS = [
    ...["CacheIdentityArgs", "CacheSetupArgs", "CacheSetupSecrets", "GithubCiArgs", "MirrorCiSecretValues", "MirrorCiSecretsArgs", "NixHostArgs", "NixHostCommands", "S3MirrorArgs"],
    ...["CacheArgs", "ExtraCacheArgs", "TrustedCacheArgs", "HostArgs", "SshEndpointArgs", "MirrorArgs"],
    ...["CachixOptionsArgs", "GithubArgs", "GithubRepositoryArgs", "GithubSecretArgs", "WorkflowActionsArgs", "WorkflowArgs", "WorkflowSystemArgs"],
];
const ENUMS = ["ActionPin", "CachixCredentialKind", "MirrorCiCredentials", "MirrorServer", "NixHostKind", "NixosRebuild", "OidcSubjectClaim", "SecretAccess", "SecretScope", "SecretVisibility", "WorkflowDelivery"];
const CACHIX_CHECK = ["cacheSetupArgsFromCachix"];
const RENDERERS = ["TrustedCaches", "renderNetrc", "renderNixConfLines", "renderNixosModule"];

describe("the public API (components/index.ts)", () => {
    it("is the components, their args and choice lists, the Cachix pre-check and the machine renderers, nothing else", () => {
        expect(exportedNames()).toEqual([...COMPONENT_NAMES, ...ARGS, ...ENUMS, ...CACHIX_CHECK, ...RENDERERS].sort());
    }, 60_000);

    it("holds at run time the classes, choice lists and functions, and every component the provider serves", () => {
        const values = [...COMPONENT_NAMES, ...ENUMS, ...CACHIX_CHECK, ...RENDERERS.filter((name) => name !== "TrustedCaches")];
        expect(Object.keys(api).sort()).toEqual(values.sort());
        expect(Object.keys(COMPONENTS).sort()).toEqual(COMPONENT_NAMES);
    });
});
