import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { GithubSpec, MirrorSpec } from "./config/model";
import { SecretPlacement } from "./github/secretPlacements";
import { mirrorSubjectTemplates } from "./mirror/ciAccess";
import { MirrorSecretValue, mirrorCiSecrets, mirrorSecretPlacements } from "./mirror/ciSecrets";

/** Arguments of {@link MirrorCiSecrets}. */
export interface MirrorCiSecretsArgs {
    /** The stack's `github` section: where secrets go (same places as the Cachix credential). */
    readonly github: GithubSpec;
    /** The stack's `mirror` section: which secrets CI needs. */
    readonly mirror: MirrorSpec;
    /** The values, by what they hold (`S3Mirror.ciSecretValues`); each is stored as a secret. */
    readonly values: Readonly<Partial<Record<MirrorSecretValue, pulumi.Input<string>>>>;
    /**
     * The GitHub provider. When omitted, one is created for `github.owner` with the GitHub
     * provider's own config (`github:token`, `github:baseUrl`).
     */
    readonly provider?: github.Provider;
}

/**
 * The GitHub Actions secrets of the mirror's CI push: the mirror's signing key and CI's AWS
 * credential (the role's ARN, or an access key). Secrets set by hand (the key of a non-AWS
 * server) are left alone. With `oidcSubjectClaims`, each repository's OIDC subject template too.
 */
export class MirrorCiSecrets extends pulumi.ComponentResource {
    /** Names and places of the secrets set, without values. */
    readonly secrets: pulumi.Output<{ name: string; placements: SecretPlacement[] }[]>;

    constructor(name: string, args: MirrorCiSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nix-cache:index:MirrorCiSecrets", name, {}, opts);
        const spec = args.github;
        const provider = args.provider ?? new github.Provider(
            `${name}-provider`,
            { owner: spec.owner, token: new pulumi.Config("github").getSecret("token"), baseUrl: new pulumi.Config("github").get("baseUrl") },
            { parent: this },
        );
        // A secret's identity is its name: never create the new one before deleting the old.
        const childOpts: pulumi.CustomResourceOptions = { parent: this, provider, deleteBeforeReplace: true };
        const listed: { name: string; placements: SecretPlacement[] }[] = [];
        for (const secret of mirrorCiSecrets(args.mirror, spec)) {
            const value = args.values[secret.holds];
            if (!secret.managed || value === undefined) {
                continue;
            }
            const placements = mirrorSecretPlacements(spec, secret);
            for (const placement of placements) {
                this.place(name, spec.owner, placement, pulumi.secret(value), childOpts);
            }
            listed.push({ name: secret.name, placements });
        }
        // The role trusts the subjects of this template; GitHub mints them only once it is set.
        for (const template of mirrorSubjectTemplates(args.mirror, spec)) {
            new github.ActionsRepositoryOidcSubjectClaimCustomizationTemplate(
                `${name}-oidc-subject-${template.repository}`,
                { repository: template.repository, useDefault: false, includeClaimKeys: [...template.includeClaimKeys] },
                { parent: this, provider },
            );
        }
        this.secrets = pulumi.output(listed);
        this.registerOutputs({ secrets: this.secrets });
    }

    private place(name: string, owner: string, placement: SecretPlacement, value: pulumi.Output<string>, opts: pulumi.CustomResourceOptions): void {
        const id = `${name}-${placement.name.toLowerCase()}`;
        switch (placement.scope) {
            case "repository":
                new github.ActionsSecret(`${id}-${placement.repository}`, { repository: placement.repository, secretName: placement.name, value }, opts);
                return;
            case "environment":
                new github.ActionsEnvironmentSecret(
                    `${id}-${placement.repository}-environment`,
                    { repository: placement.repository, environment: placement.environment, secretName: placement.name, value },
                    opts,
                );
                return;
            case "organization": {
                const secret = new github.ActionsOrganizationSecret(
                    `${id}-organization`,
                    { secretName: placement.name, visibility: placement.visibility, value },
                    opts,
                );
                if (placement.visibility === "selected") {
                    // GitHub wants numeric repository ids; the access list is re-applied with a re-created secret.
                    const ids = placement.repositories.map(
                        (repo) => github.getRepositoryOutput({ fullName: `${owner}/${repo}` }, { parent: this, provider: opts.provider }).repoId,
                    );
                    new github.ActionsOrganizationSecretRepositories(
                        `${id}-organization-repositories`,
                        { secretName: secret.secretName, selectedRepositoryIds: ids },
                        { ...opts, replaceWith: [secret] },
                    );
                }
                return;
            }
        }
    }
}
