import { ActionPin, CachixCredentialKind, SecretAccess, SecretScope, SecretVisibility, WorkflowDelivery } from "./enums";

/**
 * GitHub CI, as `nix-cache:github` writes it (see docs/github.md). Plain values: the owner,
 * repositories and secret placement decide which resources exist, and the workflow's fields its
 * content, before any resource is registered.
 */
export interface GithubArgs {
    /** Organisation or user owning the repositories. */
    owner: string;
    /** Repositories to manage, at least one. */
    repositories: GithubRepositoryArgs[];
    /** The Cachix credential's Actions secret. */
    secret?: GithubSecretArgs;
    /** The workflow file. */
    workflow?: WorkflowArgs;
}

/** A repository whose CI builds and pushes to the cache. */
export interface GithubRepositoryArgs {
    /** Repository name, without the owner. */
    name: string;
    /** Branch the workflow is committed to and whose pushes push; the default branch unless set. */
    branch?: string;
    /** Flake attributes to build (`nix build -L .#TARGET`); none builds the default package. */
    targets?: string[];
    /** Per system, the targets built there instead of `targets`, e.g. `{ "aarch64-darwin": ["darwin-tools"] }`. */
    targetsBySystem?: { [system: string]: string[] };
}

/** Which Actions secret carries the Cachix credential, and where it lives. */
export interface GithubSecretArgs {
    /** Per repository (default), once for the organisation, or per GitHub environment. */
    scope?: SecretScope;
    /** Organisation secrets only: which repositories may read it (`selected` unless set). */
    visibility?: SecretVisibility;
    /** Environment secrets only: the environment's name (the build job runs in it). */
    environment?: string;
    /** Environment secrets only: create the environment when it does not exist (kept on destroy). */
    createEnvironment?: boolean;
    /** Environment secrets only: the stack owns the environment (no protection rules); excludes createEnvironment. */
    manageEnvironment?: boolean;
    /** `authToken` (default), or `signingKey` for a self-signed cache (pushed with the token, signed with the key). */
    credential?: CachixCredentialKind;
    /** The credential's secret name; `CACHIX_AUTH_TOKEN` or `CACHIX_SIGNING_KEY` unless set. */
    name?: string;
    /** `signingKey` only: the auth token's secret name, `CACHIX_AUTH_TOKEN` unless set. */
    authTokenName?: string;
    /** Organisation secrets with visibility `selected`: `exact` (default) or `additive` repository access. */
    access?: SecretAccess;
}

/** The GitHub Actions references the workflow uses. */
export interface WorkflowActionsArgs {
    /** e.g. `actions/checkout@v7`. */
    checkout?: string;
    /** e.g. `cachix/install-nix-action@v31`. */
    installNix?: string;
    /** e.g. `cachix/cachix-action@v17`. */
    cachix?: string;
    /** e.g. `aws-actions/configure-aws-credentials@v6`; used only with the S3 mirror. */
    awsCredentials?: string;
    /** `commit` (default): known tags are written as their commit; `tag`: as configured. */
    pin?: ActionPin;
    /** Commit SHAs to pin actions to, keyed by `owner/repo`; they win over `pin`. */
    pins?: { [repository: string]: string };
}

/** A system the workflow builds on, on its own runner. */
export interface WorkflowSystemArgs {
    /** The Nix system, e.g. `aarch64-linux`. */
    system: string;
    /** The runner label; defaults exist for x86_64-linux, aarch64-linux and aarch64-darwin. */
    runsOn?: string;
}

/** cachix-action's own options, passed through. */
export interface CachixOptionsArgs {
    /** A regular expression of store paths not to push (`pushFilter`). */
    pushFilter?: string;
    /** Push paths as they are built, with cachix's daemon (`useDaemon`). */
    useDaemon?: boolean;
    /** Extra arguments for `cachix` (`cachixArgs`). */
    cachixArgs?: string;
}

/** The workflow file the project owns in each repository. */
export interface WorkflowArgs {
    /** Path in the repository, `.github/workflows/build.yml` unless set. */
    path?: string;
    /** The workflow's display name. */
    name?: string;
    /** Cron of the nightly rebuild (`51 2 * * *` unless set). */
    schedule?: string;
    /** No nightly rebuild (the stack file's `schedule: false`). */
    noSchedule?: boolean;
    /** Build pull requests, without pushing from forks (true unless set). */
    pullRequests?: boolean;
    /** Allow manual runs (true unless set). */
    workflowDispatch?: boolean;
    /** Runner label (`ubuntu-latest` unless set). */
    runsOn?: string;
    /** Fail the job when a built output is not in the cache after pushing (true unless set). */
    verify?: boolean;
    /** One run per branch or pull request at a time (true unless set). */
    concurrency?: boolean;
    /** Extra nix.conf lines for the installer's nix.conf input. */
    extraNixConfig?: string;
    /** Action references. */
    actions?: WorkflowActionsArgs;
    /** Commit message used when the file changes. */
    commitMessage?: string;
    /** Commit author name, with commitEmail; the token's user unless set. */
    commitAuthor?: string;
    /** Commit author email, with commitAuthor. */
    commitEmail?: string;
    /** Systems to build on, each on its own runner; one system on `runsOn` unless set. */
    systems?: WorkflowSystemArgs[];
    /** Run `nix flake check -L` in its own job, per system. */
    flakeCheck?: boolean;
    /** cachix-action's `pushFilter`, `useDaemon` and `cachixArgs`. */
    cachixOptions?: CachixOptionsArgs;
    /** `timeout-minutes` of every job. */
    timeoutMinutes?: number;
    /** `commit` (default) or `pullRequest` (committed to deliveryBranch, with a pull request). */
    delivery?: WorkflowDelivery;
    /** The branch the file is committed to with delivery `pullRequest` (`nix-cache/workflow` unless set). */
    deliveryBranch?: string;
}
