// Generated from the stack schema (components/config/) by `npm run args`; do not edit by hand:
// change a field's schema and its description there, and run it again.
import type * as pulumi from "@pulumi/pulumi";

/** Where the Cachix credential's Actions secret lives. */
export const SecretScope = {
    /** One secret per repository. */
    Repository: "repository",
    /** One organisation secret. */
    Organization: "organization",
    /** One secret per GitHub environment of each repository. */
    Environment: "environment",
} as const;
/** Where the Cachix credential's Actions secret lives. */
export type SecretScope = (typeof SecretScope)[keyof typeof SecretScope];

/** Which repositories may read an organisation secret. */
export const SecretVisibility = {
    /** Every repository of the organisation. */
    All: "all",
    /** The organisation's private repositories. */
    Private: "private",
    /** The declared repositories only. */
    Selected: "selected",
} as const;
/** Which repositories may read an organisation secret. */
export type SecretVisibility = (typeof SecretVisibility)[keyof typeof SecretVisibility];

/** The Cachix credential CI pushes with. */
export const CachixCredentialKind = {
    /** The auth token (`CACHIX_AUTH_TOKEN`). */
    AuthToken: "authToken",
    /** A self-signed cache's signing key (`CACHIX_SIGNING_KEY`), with the auth token. */
    SigningKey: "signingKey",
} as const;
/** The Cachix credential CI pushes with. */
export type CachixCredentialKind = (typeof CachixCredentialKind)[keyof typeof CachixCredentialKind];

/** How a `selected` organisation secret's repository list is managed. */
export const SecretAccess = {
    /** The list is exactly the declared repositories. */
    Exact: "exact",
    /** Each declared repository is granted; others are left alone. */
    Additive: "additive",
} as const;
/** How a `selected` organisation secret's repository list is managed. */
export type SecretAccess = (typeof SecretAccess)[keyof typeof SecretAccess];

/** How the workflow writes action references. */
export const ActionPin = {
    /** A tag the project's table knows is written as its commit, with a `# vX.Y.Z` comment. */
    Commit: "commit",
    /** References are written as configured. */
    Tag: "tag",
} as const;
/** How the workflow writes action references. */
export type ActionPin = (typeof ActionPin)[keyof typeof ActionPin];

/** How the workflow file reaches each repository. */
export const WorkflowDelivery = {
    /** Committed to the repository's branch. */
    Commit: "commit",
    /** Committed to the delivery branch, with a pull request into the repository's branch. */
    PullRequest: "pullRequest",
} as const;
/** How the workflow file reaches each repository. */
export type WorkflowDelivery = (typeof WorkflowDelivery)[keyof typeof WorkflowDelivery];

/** How a builder host's Nix settings are managed. */
export const NixHostKind = {
    /** NixOS: a module imported by the system configuration, then a rebuild. */
    Nixos: "nixos",
    /** Nix with a multi-user daemon: managed lines in the system nix.conf. */
    Nix: "nix",
    /** The login user's own nix.conf, without root. */
    User: "user",
} as const;
/** How a builder host's Nix settings are managed. */
export type NixHostKind = (typeof NixHostKind)[keyof typeof NixHostKind];

/** What a NixOS host runs after its module files change. */
export const NixosRebuild = {
    /** `nixos-rebuild switch`. */
    Switch: "switch",
    /** `nixos-rebuild test`: active now, not the boot default. */
    Test: "test",
    /** `nixos-rebuild boot`: active from the next boot. */
    Boot: "boot",
    /** Nothing: the files are written, the rebuild is left to the operator. */
    None: "none",
} as const;
/** What a NixOS host runs after its module files change. */
export type NixosRebuild = (typeof NixosRebuild)[keyof typeof NixosRebuild];

/** The kind of S3-compatible server behind a mirror's endpoint. */
export const MirrorServer = {
    /** MinIO. */
    Minio: "minio",
    /** Cloudflare R2. */
    R2: "r2",
    /** Any other S3-compatible server: only the bucket, its objects and its policy. */
    Generic: "generic",
} as const;
/** The kind of S3-compatible server behind a mirror's endpoint. */
export type MirrorServer = (typeof MirrorServer)[keyof typeof MirrorServer];

/** How CI gets write access to the mirror on AWS. */
export const MirrorCiCredentials = {
    /** A role CI assumes with GitHub's OIDC token (keyless). */
    Oidc: "oidc",
    /** An IAM user with a long-lived access key (opt-in). */
    AccessKeys: "accessKeys",
} as const;
/** How CI gets write access to the mirror on AWS. */
export type MirrorCiCredentials = (typeof MirrorCiCredentials)[keyof typeof MirrorCiCredentials];

/** A claim of GitHub's OIDC token that the mirror's role may require in the subject. */
export const OidcSubjectClaim = {
    /** `repo`: owner/repository. */
    Repo: "repo",
    /** `context`: the branch, environment or pull request. */
    Context: "context",
    /** `job_workflow_ref`: the workflow file and ref. */
    JobWorkflowRef: "job_workflow_ref",
    /** `ref`: the git ref. */
    Ref: "ref",
    /** `repository_owner`. */
    RepositoryOwner: "repository_owner",
    /** `workflow`: the workflow's name. */
    Workflow: "workflow",
} as const;
/** A claim of GitHub's OIDC token that the mirror's role may require in the subject. */
export type OidcSubjectClaim = (typeof OidcSubjectClaim)[keyof typeof OidcSubjectClaim];

/** The organisation's own Cachix cache. */
export interface CacheArgs {
    /** Cachix cache name (a DNS label), e.g. `atproto`. */
    name: string;
    /** Substituter URL; `https://NAME.cachix.org` unless set (Cachix's `uri` replaces it at deploy). */
    url?: string;
    /** Its public keys, `NAME.cachix.org-N:base64`; left out, they are read from Cachix (`cacheSetupArgsFromCachix`, the program, the component provider). */
    publicKeys?: string[];
    /** A private cache: hosts get a netrc with cachixReadToken (or cachixAuthToken); the URL must be https:// (or http:// to a loopback address). */
    private?: boolean;
    /** `url` differs from Cachix's `uri` on purpose (a proxy in front of it). */
    overrideUrl?: boolean;
    /** Do not ask Cachix: publicKeys are required and nothing is checked against the cache. */
    offline?: boolean;
    /** Cachix's API base URL, or a compatible server's; `https://app.cachix.org/api/v1` unless set. */
    apiUrl?: string;
    /** Create the cache when Cachix says it does not exist (never deleted). */
    create?: boolean;
}

/** Another cache hosts and CI trust: a Cachix `name` or any `url`, with its public keys. */
export interface ExtraCacheArgs {
    /** A Cachix cache's name (CI then pulls it through cachix-action's `extraPullNames`). */
    name?: string;
    /** Its substituter URL; `https://NAME.cachix.org` for a Cachix name unless set. */
    url?: string;
    /** Its Ed25519 public keys, `KEYNAME:base64`, at least one. */
    publicKeys: string[];
}

/** GitHub CI: the Cachix credential as Actions secrets and the workflow in each repository (see docs/github.md). */
export interface GithubArgs {
    /** Organisation or user owning the repositories. */
    owner: string;
    /** Repositories to manage. */
    repositories: GithubRepositoryArgs[];
    /** The Cachix credential's secret. */
    secret?: GithubSecretArgs;
    /** The workflow file. */
    workflow?: WorkflowArgs;
}

/** A repository whose CI builds and pushes to the cache. */
export interface GithubRepositoryArgs {
    /** Repository name (without owner). */
    name: string;
    /** Branch the workflow file is committed to and whose pushes push to the cache; the repository's default branch (looked up on `pulumi up`) when unset. */
    branch?: string;
    /** Flake attributes to build (`nix build -L .#TARGET`); empty builds the default package. */
    targets?: string[];
    /** Per system, the targets built there instead of `targets`, e.g. `{ aarch64-darwin: [darwin-tools] }`. */
    targetsBySystem?: { [system: string]: string[] };
}

/** Which Actions secret carries the Cachix credential, and where it lives. */
export interface GithubSecretArgs {
    /** Per repository, once for the organisation, or per GitHub environment of each repository. */
    scope?: SecretScope;
    /** Organisation secrets only: which repositories may read it. */
    visibility?: SecretVisibility;
    /** Environment secrets only: the environment's name (the build job runs in it). */
    environment?: string;
    /** Environment secrets only: `true` creates the environment when it does not exist (it is kept on destroy). Off unless set, so an existing environment's protection rules are never touched. */
    createEnvironment?: boolean;
    /** Environment secrets only: `true` makes the stack own the environment, created or reset to no protection rules on every change. Off unless set; excludes `createEnvironment`. */
    manageEnvironment?: boolean;
    /** `authToken`: cachix-action pushes with `CACHIX_AUTH_TOKEN`; `signingKey`: a self-signed cache, pushed with the auth token and signed with `CACHIX_SIGNING_KEY` in addition. */
    credential?: CachixCredentialKind;
    /** The credential's secret name, `CACHIX_AUTH_TOKEN` or `CACHIX_SIGNING_KEY` unless overridden. */
    name?: string;
    /** `signingKey` only: the auth token's secret name, `CACHIX_AUTH_TOKEN` unless overridden. */
    authTokenName?: string;
    /** Organisation secrets with `visibility: selected`: `exact` (default) makes the access list exactly the declared repositories; `additive` grants each declared one and leaves others alone. */
    access?: SecretAccess;
}

/** The workflow file the project owns in each repository. */
export interface WorkflowArgs {
    /** Path in the repository, `.github/workflows/build.yml` by default. */
    path?: string;
    /** The workflow's display name. */
    name?: string;
    /** Cron of the nightly rebuild (`51 2 * * *` unless set). */
    schedule?: string;
    /** No nightly rebuild (`schedule: false` says the same). */
    noSchedule?: boolean;
    /** Build pull requests (without pushing from forks). */
    pullRequests?: boolean;
    /** Allow manual runs. */
    workflowDispatch?: boolean;
    /** Runner label. */
    runsOn?: string;
    /** Fail the job when a built output is not in the cache after pushing. */
    verify?: boolean;
    /** One run per branch or pull request at a time; superseded pull-request runs are cancelled. */
    concurrency?: boolean;
    /** Extra nix.conf lines for install-nix-action's `extra_nix_config`. */
    extraNixConfig?: string;
    /** Action references. */
    actions?: WorkflowActionsArgs;
    /** Commit message used when the file changes. */
    commitMessage?: string;
    /** Commit author name, if not the token's user. */
    commitAuthor?: string;
    /** Commit author email, if not the token's user. */
    commitEmail?: string;
    /** Systems to build on, each on its own runner. Unset: one system, on `runsOn`. The first system of the list also runs on `runsOn` when that is set. */
    systems?: WorkflowSystemArgs[];
    /** Run `nix flake check -L` in its own job (per system). */
    flakeCheck?: boolean;
    /** cachix-action's `pushFilter`, `useDaemon` and `cachixArgs`. */
    cachixOptions?: CachixOptionsArgs;
    /** `timeout-minutes` of every job. */
    timeoutMinutes?: number;
    /** `commit` (default): the file is committed to each repository's branch. `pullRequest`: it is committed to `deliveryBranch` and a pull request into the repository's branch is opened, for branches that only take changes through pull requests. */
    delivery?: WorkflowDelivery;
    /** The branch the stack commits to with `delivery: pullRequest`. */
    deliveryBranch?: string;
}

/** Action references. */
export interface WorkflowActionsArgs {
    /** e.g. `actions/checkout@v7`. */
    checkout?: string;
    /** e.g. `cachix/install-nix-action@v31`. */
    installNix?: string;
    /** e.g. `cachix/cachix-action@v17`. */
    cachix?: string;
    /** e.g. `aws-actions/configure-aws-credentials@v6`; used only when the S3 mirror is on. */
    awsCredentials?: string;
    /** `commit` (default): a tag the project's table knows is written as its commit with a `# vX.Y.Z` comment; `tag`: references are written as configured. */
    pin?: ActionPin;
    /** Optional commit SHAs to pin actions to, keyed by `owner/repo`; they win over `pin`. */
    pins?: { [repository: string]: string };
}

/** A system the workflow builds on, on its own runner. */
export interface WorkflowSystemArgs {
    /** The Nix system, e.g. `aarch64-linux`. */
    system: string;
    /** The runner label; defaults exist for x86_64-linux, aarch64-linux and aarch64-darwin. */
    runsOn?: string;
}

/** cachix-action's `pushFilter`, `useDaemon` and `cachixArgs`. */
export interface CachixOptionsArgs {
    /** A regular expression of store paths not to push (cachix-action's `pushFilter`). */
    pushFilter?: string;
    /** Push paths as they are built with cachix's daemon (cachix-action's `useDaemon`). */
    useDaemon?: boolean;
    /** Extra arguments for `cachix` (cachix-action's `cachixArgs`). */
    cachixArgs?: string;
}

/** A builder host managed over SSH (see docs/hosts.md). */
export interface HostArgs {
    /** Unique name, used in resource names and render paths. */
    name: string;
    /** `nixos`, `nix` (multi-user daemon) or `user` (the login user's own nix.conf). */
    kind: NixHostKind;
    /** Hostname or IP address. */
    address: pulumi.Input<string>;
    /** SSH port (22 unless set). */
    port?: pulumi.Input<number>;
    /** Login user (`root` unless set). */
    user?: pulumi.Input<string>;
    /** Pinned host public key, `ssh-ed25519 AAAA...`; required unless insecureSkipHostKeyVerification is set. */
    hostKey?: pulumi.Input<string>;
    /** Explicit, loudly named opt-out of host-key pinning. */
    insecureSkipHostKeyVerification?: boolean;
    /** The secret config key (the name in sshPrivateKeys) holding the SSH private key; `sshPrivateKey` unless set; ignored with the SSH agent. */
    privateKeySecret?: string;
    /** Log in through the SSH agent at `$SSH_AUTH_SOCK` instead of a private key. */
    sshAgent?: boolean;
    /** Log in through the SSH agent listening at this socket path instead of a private key. */
    sshAgentSocket?: string;
    /** A bastion the connection goes through. */
    proxy?: SshEndpointArgs;
    /** Users to add to the daemon's `trusted-users`, merged with the host's own (not on `user` hosts). */
    trustedUsers?: string[];
    /** The Nix config dir on the host (`/etc/nix` unless set); ignored for `user` hosts. */
    nixConfDir?: string;
    /** NixOS hosts only: what runs after the module files change (`switch` unless set). */
    nixosRebuild?: NixosRebuild;
    /** `nix` hosts: restart nix-daemon after a change (true unless set). */
    restartDaemon?: boolean;
    /** Seconds each remote command of the host may take before it fails (900; nixos 3600). */
    commandTimeout?: number;
    /** The host is gone for good: nix-cache never connects to it again, keeps its commands in state as they are, and drops them from state without undoing anything on the host when its entry is removed or on `pulumi destroy` (docs/hosts.md). */
    retired?: boolean;
}

/** A bastion the connection goes through. */
export interface SshEndpointArgs {
    /** Hostname or IP address. */
    address: pulumi.Input<string>;
    /** SSH port (22 unless set). */
    port?: pulumi.Input<number>;
    /** Login user (`root` unless set). */
    user?: pulumi.Input<string>;
    /** Pinned host public key, `ssh-ed25519 AAAA...`; required unless insecureSkipHostKeyVerification is set. */
    hostKey?: pulumi.Input<string>;
}

/** The optional S3 mirror (see docs/mirror.md). */
export interface MirrorArgs {
    /** Turn the mirror on (default) or off, keeping the section. */
    enabled?: boolean;
    /** Bucket name. */
    bucket?: string;
    /** AWS region; `auto` for R2. */
    region?: string;
    /** Custom S3 endpoint (an S3-compatible server); AWS when undefined. */
    endpoint?: string;
    /** With endpoint: which server it is, so only what it supports is created (see docs/mirror.md); `generic` unless set. */
    server?: MirrorServer;
    /** A public mirror's anonymous read address when it is not ENDPOINT/BUCKET (R2: the r2.dev or custom-domain URL). */
    publicUrl?: string;
    /** Anonymous reads allowed (hosts need no credentials). */
    public?: boolean;
    /** `Priority` in nix-cache-info and on hosts' substituter URL (lower wins). */
    priority?: number;
    /** Name of the mirror's signing key, e.g. `atproto-mirror-1`; `CACHE-mirror-1` unless set. */
    keyName?: string;
    /** Rotation: the key being replaced. While set, hosts trust it and `keyName` together and CI re-signs every path in the bucket with `keyName`; remove it to drop the old key. */
    previousKeyName?: string;
    /** Copy only the paths cache.nixos.org does not serve (those without its signature): hosts get the rest from it. Defaults to useCacheNixosOrg; needs it. */
    skipUpstreamPaths?: boolean;
    /** Expire cache objects after this many days; kept forever when undefined. */
    retentionDays?: number;
    /** How CI gets write access: GitHub OIDC (keyless) or long-lived access keys (opt-in). */
    ciCredentials?: MirrorCiCredentials;
    /** Let anyone list the bucket's keys. Off: Nix reads a 403 for a missing object as "not in this cache". */
    anonymousList?: boolean;
    /** The claims of the OIDC subject the role trusts, in order (GitHub's include_claim_keys); when set, the stack also sets each repository's subject template to them. Include `job_workflow_ref` to trust only the stack's workflow file. GitHub's default when undefined. */
    oidcSubjectClaims?: OidcSubjectClaim[];
    /** ARN of an existing GitHub OIDC provider; one is created when undefined. */
    oidcProviderArn?: string;
}

/** The sections of a stack, as the stack file and the components' arguments write them. */
export interface StackSectionsArgs {
    /** The organisation's own Cachix cache. */
    cache: CacheArgs;
    /** Trust cache.nixos.org, first in every list (true unless set). */
    useCacheNixosOrg?: boolean;
    /** Other caches hosts and CI trust, in order. */
    extraCaches?: ExtraCacheArgs[];
    /** GitHub CI: the Cachix credential as Actions secrets and the workflow in each repository (see docs/github.md). */
    github?: GithubArgs;
    /** Builder hosts managed over SSH (see docs/hosts.md). */
    hosts?: HostArgs[];
    /** The optional S3 mirror (see docs/mirror.md). */
    mirror?: MirrorArgs;
}
