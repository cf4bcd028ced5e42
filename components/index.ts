// The library's public API, chosen name by name: the components, their arguments and choice
// lists, the Cachix pre-check TypeScript programs call before CacheSetup, and the renderers of
// the text a machine pastes. Everything else is internal and may change in any release
// (test/unit/publicApi.test.ts lists what is exported).

// The components and their arguments.
export { CacheSetup } from "./setup/cacheSetup";
export type { CacheSetupArgs, CacheSetupSecrets } from "./args/setupArgs";
export { CacheIdentity } from "./identity/cacheIdentity";
export type { CacheIdentityArgs } from "./identity/cacheIdentity";
export { GithubCi } from "./github/githubCi";
export type { GithubCiArgs } from "./github/githubCi";
export { MirrorCiSecrets } from "./github/mirrorCiSecrets";
export type { MirrorCiSecretsArgs } from "./github/mirrorCiSecrets";
export { NixHost } from "./hosts/nixHost";
export type { NixHostArgs, NixHostCommands } from "./hosts/nixHost";
export { S3Mirror } from "./mirror/s3Mirror";
export type { MirrorCiSecretValues, S3MirrorArgs } from "./mirror/s3Mirror";

// The sections the components share, as code passes them, and their choice lists.
export type { CacheArgs, ExtraCacheArgs, TrustedCacheArgs } from "./args/cacheArgs";
export type { CachixOptionsArgs, GithubArgs, GithubRepositoryArgs, GithubSecretArgs, WorkflowActionsArgs, WorkflowArgs, WorkflowSystemArgs } from "./args/githubArgs";
export type { HostArgs, SshEndpointArgs } from "./args/hostArgs";
export type { MirrorArgs } from "./args/mirrorArgs";
export {
    ActionPin,
    CachixCredentialKind,
    MirrorCiCredentials,
    MirrorServer,
    NixHostKind,
    NixosRebuild,
    OidcSubjectClaim,
    SecretAccess,
    SecretScope,
    SecretVisibility,
    WorkflowDelivery,
} from "./args/enums";

// Reads the cache's keys and visibility from Cachix into CacheSetup's arguments (a pulumi.RunError
// when Cachix disagrees with them or cannot be read).
export { cacheSetupArgsFromCachix } from "./setup/cachixCheckedArgs";

// The text a machine needs to trust the caches, for machines the components do not manage.
export type { TrustedCaches } from "./config/trustedCaches";
export { renderNetrc } from "./render/netrc";
export { renderNixConfLines } from "./render/nixConf";
export { renderNixosModule } from "./render/nixosModule";
