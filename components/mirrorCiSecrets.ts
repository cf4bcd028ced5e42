import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { GithubSpec, MirrorSpec } from "./config/model";
import { SecretPlacement } from "./github/secretPlacements";
import { githubProvider } from "./github/provider";
import { placeSecret } from "./github/secretResources";
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
     * provider's own config (`github:token` or `github:appAuth`, `github:baseUrl`).
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
        const provider = args.provider ?? githubProvider(name, spec.owner, this);
        const context = { parent: this, provider, owner: spec.owner, access: spec.secret.access };
        const listed: { name: string; placements: SecretPlacement[] }[] = [];
        for (const secret of mirrorCiSecrets(args.mirror, spec)) {
            const value = args.values[secret.holds];
            if (!secret.managed || value === undefined) {
                continue;
            }
            const placements = mirrorSecretPlacements(spec, secret);
            for (const placement of placements) {
                placeSecret(mirrorSecretResourceName(name, placement), placement, pulumi.secret(value), context);
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
}

/** `NAME-SECRET-REPOSITORY`, `NAME-SECRET-REPOSITORY-environment` or `NAME-SECRET-organization`. */
function mirrorSecretResourceName(name: string, placement: SecretPlacement): string {
    const id = `${name}-${placement.name.toLowerCase()}`;
    switch (placement.scope) {
        case "repository":
            return `${id}-${placement.repository}`;
        case "environment":
            return `${id}-${placement.repository}-environment`;
        case "organization":
            return `${id}-organization`;
    }
}
