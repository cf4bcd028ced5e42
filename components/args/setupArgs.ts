import * as pulumi from "@pulumi/pulumi";
import { CacheArgs, ExtraCacheArgs } from "./cacheArgs";
import { GithubArgs } from "./githubArgs";
import { HostArgs } from "./hostArgs";
import { MirrorArgs } from "./mirrorArgs";

/** Secret values the stack uses, as Pulumi secrets. */
export interface CacheSetupSecrets {
    /** `CACHIX_AUTH_TOKEN`: CI pushes with it (Write); hosts read a private cache with it unless a read token is given. */
    readonly cachixAuthToken?: pulumi.Input<string>;
    /** A read-only token for the hosts' netrc of a private cache, so no host holds push rights. */
    readonly cachixReadToken?: pulumi.Input<string>;
    /** `CACHIX_SIGNING_KEY` for self-signed caches. */
    readonly cachixSigningKey?: pulumi.Input<string>;
    /** SSH private keys by the name hosts give them (`privateKeySecret`, `sshPrivateKey` unless set). */
    readonly sshPrivateKeys?: Readonly<Record<string, pulumi.Input<string>>>;
}

/**
 * Arguments of `CacheSetup`: the stack file's sections (`cache`, `hosts`, ...) and the
 * secret values, checked with the stack file's rules and messages before anything is registered.
 * The sections are plain values (they decide which resources exist and what they contain); the
 * secret values may be Outputs.
 */
export interface CacheSetupArgs {
    /** The organisation's Cachix cache. */
    cache: CacheArgs;
    /** Trust cache.nixos.org, first in every list (true unless set). */
    useCacheNixosOrg?: boolean;
    /** Other caches hosts and CI trust, in order. */
    extraCaches?: ExtraCacheArgs[];
    /** GitHub CI: the Cachix credential as Actions secrets and the workflow in each repository. */
    github?: GithubArgs;
    /** Builder hosts managed over SSH. */
    hosts?: HostArgs[];
    /** The optional S3 mirror. */
    mirror?: MirrorArgs;
    /** The Cachix auth token: required with `github` (CI pushes with it), and for a private cache's hosts without `cachixReadToken`. */
    cachixAuthToken?: pulumi.Input<string>;
    /** A read-only Cachix token the hosts of a private cache read with instead of `cachixAuthToken`. */
    cachixReadToken?: pulumi.Input<string>;
    /** The Cachix signing key, required when `github.secret.credential` is `signingKey`. */
    cachixSigningKey?: pulumi.Input<string>;
    /** SSH private keys by the name hosts give them (`privateKeySecret`, `sshPrivateKey` unless set). */
    sshPrivateKeys?: { [name: string]: pulumi.Input<string> };
}
