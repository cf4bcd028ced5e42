/**
 * The validated, typed description of one organisation's Nix binary-cache setup.
 * Everything the project renders or creates is derived from a {@link StackModel}.
 */

/** The Pulumi project name, which is also the config namespace (`nix-cache:KEY`). */
export const PROJECT_NAME = "nix-cache";

/** The organisation's own Cachix cache. */
export interface CacheSpec {
    /** Cachix cache name, e.g. `atproto`. */
    readonly name: string;
    /** Substituter URL; `https://NAME.cachix.org` unless overridden. */
    readonly url: string;
    /** Public keys (`NAME.cachix.org-N:base64`), at least one. */
    readonly publicKeys: readonly string[];
    /** A private cache needs a netrc with a token on every host that reads it. */
    readonly private: boolean;
}

/** Another binary cache that hosts and CI trust. */
export interface TrustedCacheSpec {
    /** Substituter URL. */
    readonly url: string;
    /** Its public keys. */
    readonly publicKeys: readonly string[];
    /** Set when it is a Cachix cache (CI pulls it through cachix-action's `extraPullNames`). */
    readonly cachixName?: string;
}

/** Which GitHub Actions secret carries the Cachix credential, and where it lives. */
export interface GithubSecretSpec {
    /** Per repository, once for the organisation, or per GitHub environment of each repository. */
    readonly scope: "repository" | "organization" | "environment";
    /** Organisation secrets only: which repositories may read it. */
    readonly visibility: "all" | "private" | "selected";
    /** Environment secrets only: the environment's name (the build job runs in it). */
    readonly environment?: string;
    /**
     * Environment secrets only: `true` creates the environment when it does not exist (it is kept
     * on destroy). Off unless set, so an existing environment's protection rules are never touched.
     */
    readonly createEnvironment?: boolean;
    /** `authToken`: cachix-action pushes with `CACHIX_AUTH_TOKEN`; `signingKey`: self-signed cache. */
    readonly credential: "authToken" | "signingKey";
    /** The secret's name, `CACHIX_AUTH_TOKEN` or `CACHIX_SIGNING_KEY` unless overridden. */
    readonly name: string;
    /**
     * The auth token's secret name: `name` with `authToken`; with `signingKey`, the second
     * secret cachix-action pushes with (`CACHIX_AUTH_TOKEN` unless overridden).
     */
    readonly authTokenName: string;
    /**
     * Organisation secrets with `visibility: selected`: `exact` makes the access list exactly
     * the declared repositories; `additive` grants each declared repository and leaves others alone.
     */
    readonly access: "exact" | "additive";
}

/** A GitHub repository whose CI builds and pushes to the cache. */
export interface GithubRepositorySpec {
    /** Repository name (without owner). */
    readonly name: string;
    /** Branch the workflow file is committed to and whose pushes push to the cache. */
    readonly branch: string;
    /** Flake attributes to build (`nix build -L .#TARGET`); empty builds the default package. */
    readonly targets: readonly string[];
}

/** The GitHub Actions references the workflow uses. */
export interface WorkflowActionsSpec {
    /** e.g. `actions/checkout@v7`. */
    readonly checkout: string;
    /** e.g. `cachix/install-nix-action@v31`. */
    readonly installNix: string;
    /** e.g. `cachix/cachix-action@v17`. */
    readonly cachix: string;
    /** e.g. `aws-actions/configure-aws-credentials@v6`; used only when the S3 mirror is on. */
    readonly awsCredentials: string;
    /**
     * `commit` (default): a tag the project's table knows is written as its commit with a
     * `# vX.Y.Z` comment; `tag`: references are written as configured.
     */
    readonly pin: "commit" | "tag";
    /** Optional commit SHAs to pin actions to, keyed by `owner/repo`; they win over `pin`. */
    readonly pins: Readonly<Record<string, string>>;
}

/** The workflow file the project owns in each repository. */
export interface WorkflowSpec {
    /** Path in the repository, `.github/workflows/build.yml` by default. */
    readonly path: string;
    /** The workflow's display name. */
    readonly name: string;
    /** Cron for the nightly rebuild (`51 2 * * *`), or undefined for none. */
    readonly schedule?: string;
    /** Build pull requests (without pushing from forks). */
    readonly pullRequests: boolean;
    /** Allow manual runs. */
    readonly workflowDispatch: boolean;
    /** Runner label. */
    readonly runsOn: string;
    /** Fail the job when a built output is not in the cache after pushing. */
    readonly verify: boolean;
    /** One run per branch or pull request at a time; superseded pull-request runs are cancelled. */
    readonly concurrency: boolean;
    /** Extra nix.conf lines for install-nix-action's `extra_nix_config`. */
    readonly extraNixConfig?: string;
    /** Action references. */
    readonly actions: WorkflowActionsSpec;
    /** Commit message used when the file changes. */
    readonly commitMessage: string;
    /** Commit author name, if not the token's user. */
    readonly commitAuthor?: string;
    /** Commit author email, if not the token's user. */
    readonly commitEmail?: string;
}

/** The stack's `github` section. */
export interface GithubSpec {
    /** Organisation or user owning the repositories. */
    readonly owner: string;
    /** Repositories to manage. */
    readonly repositories: readonly GithubRepositorySpec[];
    /** The Cachix credential's secret. */
    readonly secret: GithubSecretSpec;
    /** The workflow file. */
    readonly workflow: WorkflowSpec;
}

/** How a builder host's nix settings are managed. */
export type HostKind = "nixos" | "nix" | "user";

/** What to run after NixOS module files change. */
export type NixosRebuildAction = "switch" | "test" | "boot" | "none";

/** An SSH endpoint (a host or its bastion). */
export interface SshEndpointSpec {
    /** Hostname or IP address. */
    readonly address: string;
    /** TCP port. */
    readonly port: number;
    /** Login user. */
    readonly user: string;
    /** Pinned host public key (`ssh-ed25519 AAAA...`); undefined only with the opt-out. */
    readonly hostKey?: string;
}

/** How the project authenticates to a host. */
export type SshAuthSpec =
    | { readonly kind: "privateKey"; /** Secret config key holding the PEM/OpenSSH key. */ readonly configKey: string }
    | { readonly kind: "agent"; /** Agent socket; `$SSH_AUTH_SOCK` when unset. */ readonly socket?: string };

/** A builder host. */
export interface HostSpec {
    /** Unique name, used in resource names and render paths. */
    readonly name: string;
    /** `nixos`, `nix` (multi-user daemon) or `user` (the login user's own nix.conf). */
    readonly kind: HostKind;
    /** Where to connect. */
    readonly ssh: SshEndpointSpec;
    /** Explicit, loudly named opt-out of host-key pinning. */
    readonly insecureSkipHostKeyVerification: boolean;
    /** Credentials. */
    readonly auth: SshAuthSpec;
    /** Optional bastion. */
    readonly proxy?: SshEndpointSpec;
    /** Users to add to `trusted-users` (merged with the host's own). */
    readonly trustedUsers: readonly string[];
    /** The Nix config dir on the host (`/etc/nix`); ignored for `user` hosts. */
    readonly nixConfDir: string;
    /** NixOS only: what to run after the modules change. */
    readonly nixosRebuild: NixosRebuildAction;
    /** `nix` hosts: restart nix-daemon after a change. */
    readonly restartDaemon: boolean;
}

/** The optional S3 mirror. */
export interface MirrorSpec {
    /** Bucket name. */
    readonly bucket: string;
    /** AWS region. */
    readonly region: string;
    /** Custom S3 endpoint (an S3-compatible server); AWS when undefined. */
    readonly endpoint?: string;
    /** Anonymous reads allowed (hosts need no credentials). */
    readonly public: boolean;
    /** `Priority` in nix-cache-info and on hosts' substituter URL (lower wins). */
    readonly priority: number;
    /** Name of the mirror's signing key, e.g. `atproto-mirror-1`. */
    readonly keyName: string;
    /** Expire cache objects after this many days; kept forever when undefined. */
    readonly retentionDays?: number;
    /** How CI gets write access: GitHub OIDC (keyless) or long-lived access keys (opt-in). */
    readonly ciCredentials: "oidc" | "accessKeys";
    /** ARN of an existing GitHub OIDC provider; one is created when undefined. */
    readonly oidcProviderArn?: string;
}

/** Names of the secret config keys the stack uses, and whether each is set. */
export interface SecretKeysSpec {
    /** `nix-cache:cachixAuthToken` is set (as a secret). */
    readonly cachixAuthToken: boolean;
    /** `nix-cache:cachixSigningKey` is set (as a secret). */
    readonly cachixSigningKey: boolean;
}

/** The whole validated stack. */
export interface StackModel {
    /** The organisation's cache. */
    readonly cache: CacheSpec;
    /** Trust cache.nixos.org (first in every list). */
    readonly useCacheNixosOrg: boolean;
    /** Other caches to trust, in config order. */
    readonly extraCaches: readonly TrustedCacheSpec[];
    /** GitHub CI, when configured. */
    readonly github?: GithubSpec;
    /** Builder hosts. */
    readonly hosts: readonly HostSpec[];
    /** The S3 mirror, when enabled. */
    readonly mirror?: MirrorSpec;
    /** Which secrets are set. */
    readonly secrets: SecretKeysSpec;
}
