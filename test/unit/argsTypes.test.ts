import * as fs from "fs";
import { describe, expect, it } from "vitest";
import { ARGS_FILE, argsTypesText, memberName } from "../../cli/argsTypes";
import { HostArgs, NixHostKind } from "../../components/args/stackArgs";
import { STACK_SECTIONS } from "../../components/config/stackSchema";

// The components' argument types are generated from the stack schema: one description of each
// field, read by the stack file, the arguments, the JSON Schema and the component schema alike.

describe("the generated argument types", () => {
    it("are the ones the stack schema gives (run `npm run args` after changing it)", () => {
        expect(fs.readFileSync(ARGS_FILE, "utf8")).toBe(argsTypesText());
    });

    it("give every field of every section its doc comment, and name every section and choice list", () => {
        const text = argsTypesText();
        const fields = [...text.matchAll(/^ {4}(\w+)\??: /gm)];
        const commented = [...text.matchAll(/^ {4}\/\*\* .+ \*\/\n {4}(\w+)\??: /gm)];
        expect(fields.length).toBeGreaterThan(100);
        expect(commented.length).toBe(fields.length);
        expect(Object.keys(STACK_SECTIONS).every((key) => new RegExp(`^ {4}${key}\\??: `, "m").test(text))).toBe(true);
        for (const type of ["CacheArgs", "ExtraCacheArgs", "GithubArgs", "GithubRepositoryArgs", "GithubSecretArgs", "WorkflowArgs", "WorkflowActionsArgs", "WorkflowSystemArgs", "CachixOptionsArgs", "HostArgs", "SshEndpointArgs", "MirrorArgs", "StackSectionsArgs"]) {
            expect(text).toContain(`export interface ${type} {`);
        }
        for (const choices of ["NixHostKind", "NixosRebuild", "SecretScope", "SecretVisibility", "CachixCredentialKind", "SecretAccess", "ActionPin", "WorkflowDelivery", "MirrorServer", "MirrorCiCredentials", "OidcSubjectClaim"]) {
            expect(text).toContain(`export const ${choices} = {`);
        }
    });

    it("keep deploy-time connection fields Inputs, and the enums the stack file's values", () => {
        const host: HostArgs = { name: "b", kind: NixHostKind.Nix, address: Promise.resolve("203.0.113.1"), port: 22 };
        expect(host.kind).toBe("nix");
        expect(argsTypesText()).toMatch(/^ {4}address: pulumi\.Input<string>;$/m);
        expect(argsTypesText()).toMatch(/^ {4}name: string;$/m);
        expect(memberName("job_workflow_ref")).toBe("JobWorkflowRef");
        expect(memberName("pullRequest")).toBe("PullRequest");
    });
});
