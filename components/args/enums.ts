/**
 * The choices of the components' arguments, as named enums: the component schema analyzer
 * (`@pulumi/pulumi/provider/experimental`) turns each into an enum type of the package schema,
 * so Python, Go and YAML programs get the same choices. The values are the stack file's.
 */

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
