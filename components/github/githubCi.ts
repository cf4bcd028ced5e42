import type * as Github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { CacheArgs, ExtraCacheArgs } from "../args/cacheArgs";
import { GithubArgs } from "../args/githubArgs";
import { MirrorArgs } from "../args/mirrorArgs";
import { validatedSections } from "../args/validate";
import { GithubRepositorySpec, GithubSpec, StackModel } from "../config/model";
import { CachixCredential, SecretPlacement, secretPlacements } from "./secretPlacements";
import { branchWarning } from "./defaultBranch";
import { deliverWorkflow } from "./delivery";
import { githubProvider } from "./provider";
import { readWorkflowTarget } from "./remoteFile";
import { repositoryEnvironment } from "./environments";
import { placeSecret } from "./secretResources";
import { givenProvider } from "../formats/providerOption";
import { renderWorkflow } from "./workflow";
import { github } from "./githubPackage";

/**
 * Arguments of {@link GithubCi}. The sections are plain values, checked like the stack file's:
 * the owner, repositories and secret placement decide which resources exist, the workflow's
 * fields its content. The credentials may be Outputs; they are kept Pulumi secrets. The GitHub
 * provider comes from the options (`providers: { github }`); without one, a provider is made
 * for `github.owner` with `github:token` (or `GITHUB_TOKEN`) or `github:appAuth`, and
 * `github:baseUrl`, so the owner is never taken from elsewhere.
 */
export interface GithubCiArgs {
    /** The stack's `github` section: owner, repositories, where the secret lives, the workflow. */
    github: GithubArgs;
    /** The organisation's cache: cachix-action's `name`, and the URL outputs are verified at. */
    cache: CacheArgs;
    /** Whether hosts trust cache.nixos.org (true unless set); the mirror's push skips its paths then. */
    useCacheNixosOrg?: boolean;
    /** Other trusted caches; the Cachix ones become cachix-action's `extraPullNames`. */
    extraCaches?: ExtraCacheArgs[];
    /** The S3 mirror, when enabled: the workflow then signs and copies outputs to it. */
    mirror?: MirrorArgs;
    /** The Cachix auth token (cachix-action pushes to any cache with it). */
    authToken: pulumi.Input<string>;
    /** The cache's signing key, required when `github.secret.credential` is `signingKey`. */
    signingKey?: pulumi.Input<string>;
}

/** What a {@link GithubCi} registered, for dependencies and tests. */
interface GithubCiParts {
    readonly secretResources: readonly pulumi.CustomResource[];
    readonly files: readonly Github.RepositoryFile[];
    readonly secrets: pulumi.Output<SecretPlacement[]>;
}

// Kept off the class's properties, which the component schema analyzer reads as the outputs
// other languages see: resources of other packages and union-typed placements are not schema types.
const partsOf = new WeakMap<GithubCi, GithubCiParts>();

/**
 * A repository's GitHub CI for the cache: the Actions secret holding the Cachix credential
 * (per repository, once for the organisation, or per environment) and the workflow file that
 * builds, pushes and verifies. Rotating the credential changes the secret resources only.
 */
export class GithubCi extends pulumi.ComponentResource {
    /** Path of the managed workflow file per `owner/repository`. */
    readonly workflowFiles: pulumi.Output<Record<string, string>>;
    /** The names of the Actions secrets the component sets, without their values. */
    readonly secretNames: pulumi.Output<string[]>;
    /**
     * Per repository name, the branch its workflow is committed to and pushes from: the
     * configured `branch`, else the repository's default branch as GitHub reports it. The S3
     * mirror's CI role trusts these (`S3Mirror`'s `workflowBranches`).
     */
    readonly workflowBranches: pulumi.Output<Record<string, string>>;

    /** The secrets the component sets, without their values. */
    get secrets(): pulumi.Output<SecretPlacement[]> {
        return partsOf.get(this)!.secrets;
    }
    /** The secret resources, one per placement (for dependencies and tests). */
    get secretResources(): readonly pulumi.CustomResource[] {
        return partsOf.get(this)!.secretResources;
    }
    /**
     * The workflow file resources committed to their target branch (`delivery: commit`), one
     * per repository; with `pullRequest`, a file is declared only while a pull request is due.
     */
    get files(): readonly pulumi.CustomResource[] {
        return partsOf.get(this)!.files;
    }

    constructor(name: string, args: GithubCiArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before registering anything: a wrong argument or a missing credential leaves nothing half-made.
        const model = validatedSections("GithubCi", name, {
            cache: args.cache,
            useCacheNixosOrg: args.useCacheNixosOrg,
            extraCaches: args.extraCaches,
            github: args.github,
            mirror: args.mirror,
        });
        const spec = model.github!;
        const values = credentialValues(name, spec, args);
        super("nix-cache:index:GithubCi", name, {}, opts);
        const provider = givenProvider(opts, "github", github.Provider.isInstance) ?? githubProvider(name, spec.owner, this);
        const childOpts: pulumi.CustomResourceOptions = { parent: this, provider };
        const placements = secretPlacements(spec);
        const context = { parent: this, provider, owner: spec.owner, access: spec.secret.access };
        const environments = new Map(
            spec.secret.scope === "environment" ? spec.repositories.map((r) => [r.name, repositoryEnvironment(name, spec, r.name, childOpts)]) : [],
        );

        const secretResources = placements.flatMap((placement) =>
            placeSecret(secretResourceName(name, placement), placement, values[placement.holds ?? "authToken"], context, {
                // An environment the stack creates exists before its secret is set.
                dependsOn: placement.scope === "environment" ? environments.get(placement.repository) : undefined,
                formerPrefix: formerSecretResourceName(name, placement, spec.secret.credential),
            }),
        );
        const workflows = spec.repositories.map((repo) => ({ repo: repo.name, ...this.workflowFile(name, model, repo, childOpts) }));
        const files = workflows.flatMap((w) => (w.file === undefined ? [] : [w.file]));
        this.workflowBranches = pulumi.all(workflows.map((w) => w.branch)).apply((branches) => Object.fromEntries(workflows.map((w, i) => [w.repo, branches[i]])));
        this.workflowFiles = pulumi.output(
            Object.fromEntries(spec.repositories.map((r) => [`${spec.owner}/${r.name}`, spec.workflow.path])),
        );
        partsOf.set(this, { secretResources, files, secrets: pulumi.output(placements) });
        this.secretNames = pulumi.output([...new Set(placements.map((p) => p.name))]);
        this.registerOutputs({ workflowFiles: this.workflowFiles, secretNames: this.secretNames, workflowBranches: this.workflowBranches });
    }

    private workflowFile(
        name: string,
        model: StackModel,
        repo: GithubRepositorySpec,
        opts: pulumi.CustomResourceOptions,
    ): { file?: Github.RepositoryFile; branch: pulumi.Output<string> } {
        const spec = model.github!;
        const workflow = spec.workflow;
        // Read once per run: the branch (GitHub names its default one) and the file there.
        const target = pulumi.output(readWorkflowTarget(spec.owner, repo, workflow, workflow.delivery === "commit", { parent: this, provider: opts.provider }));
        const branch = target.apply((found) => {
            // `schedule` and `workflow_dispatch` run only from the default branch.
            const warning = found.defaultBranch === undefined ? undefined : branchWarning(spec.owner, repo, found.defaultBranch, workflow);
            if (warning !== undefined) {
                void pulumi.log.warn(warning, this);
            }
            return found.branch;
        });
        const content = branch.apply((b) => renderWorkflow({ ...model, github: spec }, { ...repo, branch: b }));
        return { file: deliverWorkflow(`${name}-${repo.name}`, repo.name, target, content, workflow, opts).file, branch };
    }
}

/**
 * The name of a secret resource: its place and its GitHub name (which GitHub compares without
 * case), never the credential mode, so switching `credential` leaves the auth token's resource
 * as it is and only adds or removes the signing key's.
 */
export function secretResourceName(name: string, placement: SecretPlacement): string {
    const secret = placement.name.toLowerCase();
    switch (placement.scope) {
        case "repository":
            return `${name}-${placement.repository}-${secret}-secret`;
        case "organization":
            return `${name}-organization-${secret}-secret`;
        case "environment":
            return `${name}-${placement.repository}-${secret}-environment-secret`;
    }
}

/**
 * The name stacks made by release 0.2.0 gave the same secret under the same configuration,
 * named by what it held: kept as an alias, so such a stack's resources are renamed, not
 * deleted and created again. (A stack changing `credential` in the same run as it upgrades
 * gets the new mode's former names; upgrade first, then change the mode.)
 */
export function formerSecretResourceName(name: string, placement: SecretPlacement, credential: CachixCredential): string {
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
function credentialValues(name: string, spec: GithubSpec, credentials: Pick<GithubCiArgs, "authToken" | "signingKey">): Record<CachixCredential, pulumi.Output<string>> {
    if (spec.secret.credential === "signingKey" && credentials.signingKey === undefined) {
        throw new pulumi.RunError(`GithubCi ${name}: github.secret.credential is "signingKey" but no signing key was given`);
    }
    return {
        authToken: pulumi.secret(credentials.authToken),
        signingKey: pulumi.secret(credentials.signingKey ?? ""),
    };
}
