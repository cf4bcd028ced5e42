import * as pulumi from "@pulumi/pulumi";
import { CacheArgs } from "../args/cacheArgs";
import { GithubArgs } from "../args/githubArgs";
import { MirrorArgs } from "../args/mirrorArgs";
import { validatedSections } from "../args/validate";
import { SecretPlacement } from "./secretPlacements";
import { githubProvider } from "./provider";
import { placeSecret } from "./secretResources";
import { mirrorSubjectTemplates } from "../mirror/ciAccess";
import { mirrorCiSecretList, mirrorSecretPlacements } from "./mirrorSecrets";
import { givenProvider } from "../formats/providerOption";
import { enabledMirror, MirrorCiSecretValues } from "../mirror/s3Mirror";
import { github } from "./githubPackage";

/**
 * Arguments of {@link MirrorCiSecrets}. The sections are plain values, checked like the stack
 * file's (they decide which secrets exist and where); the values may be Outputs. The GitHub
 * provider comes from the options (`providers: { github }`); without one, a provider is made for
 * `github.owner` with the GitHub provider's own config (`github:token` or `github:appAuth`, `github:baseUrl`).
 */
export interface MirrorCiSecretsArgs {
    /** The stack's `github` section: where secrets go (same places as the Cachix credential). */
    github: GithubArgs;
    /** The stack's `mirror` section: which secrets CI needs; it must be enabled. */
    mirror: MirrorArgs;
    /** The organisation's cache: the mirror's key is named after it unless `mirror.keyName` is set. */
    cache: CacheArgs;
    /** Whether hosts trust cache.nixos.org (true unless set). */
    useCacheNixosOrg?: boolean;
    /** The values, by what they hold (`S3Mirror.ciSecretValues`); each is stored as a secret. */
    values: MirrorCiSecretValues;
}

/** A secret the component sets, without its value. */
interface ListedSecret {
    readonly name: string;
    readonly placements: SecretPlacement[];
}

// Kept off the class's properties, which the component schema analyzer reads as outputs.
const listedOf = new WeakMap<MirrorCiSecrets, pulumi.Output<ListedSecret[]>>();

/**
 * The GitHub Actions secrets of the mirror's CI push: the mirror's signing key and CI's AWS
 * credential (the role's ARN, or an access key). Secrets set by hand (the key of a non-AWS
 * server) are left alone. With `oidcSubjectClaims`, each repository's OIDC subject template too.
 */
export class MirrorCiSecrets extends pulumi.ComponentResource {
    /** The names of the secrets set, without values. */
    readonly secretNames: pulumi.Output<string[]>;

    /** Names and places of the secrets set, without values. */
    get secrets(): pulumi.Output<{ name: string; placements: SecretPlacement[] }[]> {
        return listedOf.get(this)!;
    }

    constructor(name: string, args: MirrorCiSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        const model = validatedSections("MirrorCiSecrets", name, { cache: args.cache, useCacheNixosOrg: args.useCacheNixosOrg, mirror: args.mirror, github: args.github });
        const mirror = enabledMirror("MirrorCiSecrets", name, model.mirror);
        super("nix-cache:index:MirrorCiSecrets", name, {}, opts);
        const spec = model.github!;
        const provider = givenProvider(opts, "github", github.Provider.isInstance) ?? githubProvider(name, spec.owner, this);
        const context = { parent: this, provider, owner: spec.owner, access: spec.secret.access };
        const listed: ListedSecret[] = [];
        for (const secret of mirrorCiSecretList(mirror, spec)) {
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
        for (const template of mirrorSubjectTemplates(mirror, spec)) {
            new github.ActionsRepositoryOidcSubjectClaimCustomizationTemplate(
                `${name}-oidc-subject-${template.repository}`,
                { repository: template.repository, useDefault: false, includeClaimKeys: [...template.includeClaimKeys] },
                { parent: this, provider },
            );
        }
        listedOf.set(this, pulumi.output(listed));
        this.secretNames = pulumi.output(listed.map((s) => s.name));
        this.registerOutputs({ secretNames: this.secretNames });
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
