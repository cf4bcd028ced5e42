import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { CacheSpec, GithubRepositorySpec, GithubSpec, MirrorSpec, TrustedCacheSpec } from "./config/model";
import { SecretPlacement, secretPlacements } from "./github/secretPlacements";
import { renderWorkflow } from "./github/workflow";

/**
 * Arguments of {@link GithubCi}. The configuration is the validated model, plain rather than
 * `Input`, because the workflow's content is decided before any resource is registered; only
 * the credential's value may be an output (it comes from `pulumi config set --secret`).
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
     * The credential stored in every secret: the Cachix auth token or signing key, as
     * `github.secret.credential` says. Kept a Pulumi secret whatever form it arrives in.
     */
    readonly credential: pulumi.Input<string>;
    /**
     * The GitHub provider. When omitted, one is created for `github.owner`, with the token of
     * `github:token` (or `GITHUB_TOKEN`) and `github:baseUrl`, so the owner is never taken from
     * elsewhere.
     */
    readonly provider?: github.Provider;
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
        super("nix-cache:index:GithubCi", name, {}, opts);
        const spec = args.github;
        const provider = args.provider ?? defaultProvider(name, spec.owner, this);
        const childOpts: pulumi.CustomResourceOptions = { parent: this, provider };
        // A secret's identity is its name: if a provider version replaces it on a new value,
        // creating the new one first and then deleting the old would delete the secret itself.
        const secretOpts: pulumi.CustomResourceOptions = { ...childOpts, deleteBeforeReplace: true };
        const value = pulumi.secret(args.credential);
        const placements = secretPlacements(spec);

        this.secretResources = placements.flatMap((placement) => this.secretFor(name, spec, placement, value, secretOpts));
        this.files = spec.repositories.map((repo) => this.workflowFile(name, args, repo, childOpts));
        this.workflowFiles = pulumi.output(
            Object.fromEntries(spec.repositories.map((r) => [`${spec.owner}/${r.name}`, spec.workflow.path])),
        );
        this.secrets = pulumi.output(placements);
        this.registerOutputs({ workflowFiles: this.workflowFiles, secrets: this.secrets });
    }

    private secretFor(
        name: string,
        spec: GithubSpec,
        placement: SecretPlacement,
        value: pulumi.Output<string>,
        opts: pulumi.CustomResourceOptions,
    ): pulumi.CustomResource[] {
        switch (placement.scope) {
            case "repository":
                return [
                    new github.ActionsSecret(
                        `${name}-${placement.repository}-secret`,
                        { repository: placement.repository, secretName: placement.name, value },
                        opts,
                    ),
                ];
            case "organization":
                return this.organizationSecret(name, spec.owner, placement, value, opts);
            case "environment": {
                const environment = spec.secret.createEnvironment === true
                    ? new github.RepositoryEnvironment(
                          `${name}-${placement.repository}-environment`,
                          { repository: placement.repository, environment: placement.environment },
                          // The environment may hold other secrets and rules: never delete it.
                          { ...opts, deleteBeforeReplace: false, retainOnDelete: true },
                      )
                    : undefined;
                return [
                    new github.ActionsEnvironmentSecret(
                        `${name}-${placement.repository}-environment-secret`,
                        {
                            repository: placement.repository,
                            environment: environment?.environment ?? placement.environment,
                            secretName: placement.name,
                            value,
                        },
                        opts,
                    ),
                ];
            }
        }
    }

    private organizationSecret(
        name: string,
        owner: string,
        placement: Extract<SecretPlacement, { scope: "organization" }>,
        value: pulumi.Output<string>,
        opts: pulumi.CustomResourceOptions,
    ): pulumi.CustomResource[] {
        const secret = new github.ActionsOrganizationSecret(
            `${name}-organization-secret`,
            { secretName: placement.name, visibility: placement.visibility, value },
            opts,
        );
        if (placement.visibility !== "selected") {
            return [secret];
        }
        // Access is its own resource (the secret's `selectedRepositoryIds` is deprecated), so a
        // rotation leaves it untouched. GitHub wants numeric ids: look them up by name.
        const ids = placement.repositories.map(
            (repo) => github.getRepositoryOutput({ fullName: `${owner}/${repo}` }, { parent: this, provider: opts.provider }).repoId,
        );
        const access = new github.ActionsOrganizationSecretRepositories(
            `${name}-organization-secret-repositories`,
            { secretName: secret.secretName, selectedRepositoryIds: ids },
            // A re-created secret starts with no repositories: re-apply the access list with it.
            { ...opts, replaceWith: [secret] },
        );
        return [secret, access];
    }

    private workflowFile(
        name: string,
        args: GithubCiArgs,
        repo: GithubRepositorySpec,
        opts: pulumi.CustomResourceOptions,
    ): github.RepositoryFile {
        const workflow = args.github.workflow;
        return new github.RepositoryFile(
            `${name}-${repo.name}-workflow`,
            {
                repository: repo.name,
                branch: repo.branch,
                file: workflow.path,
                content: renderWorkflow({ cache: args.cache, extraCaches: args.extraCaches, mirror: args.mirror, github: args.github }, repo),
                commitMessage: workflow.commitMessage,
                commitAuthor: workflow.commitAuthor,
                commitEmail: workflow.commitEmail,
                // The stack owns the file: an existing hand-written workflow is replaced.
                overwriteOnCreate: true,
            },
            opts,
        );
    }
}

/** A provider bound to the configured owner, with the GitHub provider's own config keys. */
function defaultProvider(name: string, owner: string, parent: pulumi.Resource): github.Provider {
    const config = new pulumi.Config("github");
    return new github.Provider(
        `${name}-provider`,
        { owner, token: config.getSecret("token"), baseUrl: config.get("baseUrl") },
        { parent },
    );
}
