import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { CacheSpec, GithubRepositorySpec, GithubSpec, MirrorSpec, TrustedCacheSpec } from "./config/model";
import { CachixCredential, SecretPlacement, secretPlacements } from "./github/secretPlacements";
import { branchWarning, workflowBranch } from "./github/defaultBranch";
import { deliverWorkflow } from "./github/delivery";
import { githubProvider } from "./github/provider";
import { repositoryEnvironment } from "./github/environments";
import { placeSecret } from "./github/secretResources";
import { renderWorkflow } from "./github/workflow";

/**
 * Arguments of {@link GithubCi}. The configuration is the validated model, plain rather than
 * `Input`, because the workflow's content is decided before any resource is registered; only
 * the credentials' values may be outputs (they come from `pulumi config set --secret`).
 */
export interface GithubCiArgs {
    /** The stack's `github` section: owner, repositories, where the secret lives, the workflow. */
    readonly github: GithubSpec;
    /** The organisation's cache: cachix-action's `name`, and the URL outputs are verified at. */
    readonly cache: CacheSpec;
    /** Other trusted caches; the Cachix ones become cachix-action's `extraPullNames`. */
    readonly extraCaches: readonly TrustedCacheSpec[];
    /** The S3 mirror, when enabled: the workflow then signs and copies outputs to it. */
    readonly mirror?: MirrorSpec;
    /**
     * The Cachix credentials the secrets hold: the auth token always (cachix-action pushes to
     * any cache with it), and the signing key when `github.secret.credential` is `signingKey`.
     * Kept Pulumi secrets whatever form they arrive in.
     */
    readonly credentials: GithubCiCredentials;
    /**
     * The GitHub provider. When omitted, one is created for `github.owner`, with the token of
     * `github:token` (or `GITHUB_TOKEN`) or the App credentials of `github:appAuth`, and
     * `github:baseUrl`, so the owner is never taken from elsewhere.
     */
    readonly provider?: github.Provider;
}

/** The values of the Cachix secrets. */
export interface GithubCiCredentials {
    /** The Cachix auth token (`nix-cache:cachixAuthToken`). */
    readonly authToken: pulumi.Input<string>;
    /** The cache's signing key (`nix-cache:cachixSigningKey`), for self-signed caches. */
    readonly signingKey?: pulumi.Input<string>;
}

/**
 * A repository's GitHub CI for the cache: the Actions secret holding the Cachix credential
 * (per repository, once for the organisation, or per environment) and the workflow file that
 * builds, pushes and verifies. Rotating the credential changes the secret resources only.
 */
export class GithubCi extends pulumi.ComponentResource {
    /** Path of the managed workflow file per `owner/repository`. */
    readonly workflowFiles: pulumi.Output<Record<string, string>>;
    /** The secrets the component sets, without their values. */
    readonly secrets: pulumi.Output<SecretPlacement[]>;
    /** The secret resources, one per placement (for dependencies and tests). */
    readonly secretResources: readonly pulumi.CustomResource[];
    /** The workflow file resources, one per repository. */
    readonly files: readonly github.RepositoryFile[];

    constructor(name: string, args: GithubCiArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before registering anything: a missing credential leaves nothing half-made.
        const values = credentialValues(name, args.github, args.credentials);
        super("nix-cache:index:GithubCi", name, {}, opts);
        const spec = args.github;
        const provider = args.provider ?? githubProvider(name, spec.owner, this);
        const childOpts: pulumi.CustomResourceOptions = { parent: this, provider };
        const placements = secretPlacements(spec);
        const context = { parent: this, provider, owner: spec.owner, access: spec.secret.access };
        const environments = new Map(
            spec.secret.scope === "environment" ? spec.repositories.map((r) => [r.name, repositoryEnvironment(name, spec, r.name, childOpts)]) : [],
        );

        this.secretResources = placements.flatMap((placement) =>
            placeSecret(
                secretResourceName(name, placement, spec.secret.credential),
                placement,
                values[placement.holds ?? "authToken"],
                context,
                // An environment the stack creates exists before its secret is set.
                placement.scope === "environment" ? environments.get(placement.repository) : undefined,
            ),
        );
        this.files = spec.repositories.map((repo) => this.workflowFile(name, args, repo, childOpts));
        this.workflowFiles = pulumi.output(
            Object.fromEntries(spec.repositories.map((r) => [`${spec.owner}/${r.name}`, spec.workflow.path])),
        );
        this.secrets = pulumi.output(placements);
        this.registerOutputs({ workflowFiles: this.workflowFiles, secrets: this.secrets });
    }

    private workflowFile(
        name: string,
        args: GithubCiArgs,
        repo: GithubRepositorySpec,
        opts: pulumi.CustomResourceOptions,
    ): github.RepositoryFile {
        const workflow = args.github.workflow;
        const model = { cache: args.cache, extraCaches: args.extraCaches, mirror: args.mirror, github: args.github };
        // `schedule` and `workflow_dispatch` run only from the default branch: ask GitHub for it.
        const defaultBranch = github.getRepositoryOutput({ fullName: `${args.github.owner}/${repo.name}` }, { parent: this, provider: opts.provider }).defaultBranch;
        const branch = defaultBranch.apply((found) => {
            const warning = branchWarning(args.github.owner, repo, found, workflow);
            if (warning !== undefined) {
                void pulumi.log.warn(warning, this);
            }
            return workflowBranch(repo, found);
        });
        const content = branch.apply((b) => renderWorkflow(model, { ...repo, branch: b }));
        return deliverWorkflow(`${name}-${repo.name}`, repo.name, branch, content, workflow, opts).file;
    }
}

/**
 * The name of a secret resource: the credential's keeps the names stacks already have; the
 * auth token that signing-key mode adds gets `-auth-token` after the repository.
 */
export function secretResourceName(name: string, placement: SecretPlacement, credential: CachixCredential): string {
    const extra = credential === "signingKey" && placement.holds === "authToken" ? "-auth-token" : "";
    switch (placement.scope) {
        case "repository":
            return `${name}-${placement.repository}${extra}-secret`;
        case "organization":
            return `${name}-organization${extra}-secret`;
        case "environment":
            return `${name}-${placement.repository}${extra}-environment-secret`;
    }
}

/** Each credential's value as a Pulumi secret; the signing key must be given in its mode. */
function credentialValues(name: string, spec: GithubSpec, credentials: GithubCiCredentials): Record<CachixCredential, pulumi.Output<string>> {
    if (spec.secret.credential === "signingKey" && credentials.signingKey === undefined) {
        throw new Error(`GithubCi ${name}: github.secret.credential is "signingKey" but no signing key was given`);
    }
    return {
        authToken: pulumi.secret(credentials.authToken),
        signingKey: pulumi.secret(credentials.signingKey ?? ""),
    };
}
