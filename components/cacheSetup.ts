import * as pulumi from "@pulumi/pulumi";
import { CacheIdentity } from "./cacheIdentity";
import { StackModel } from "./config/model";

/** Secret values the stack uses, as Pulumi secrets. */
export interface CacheSetupSecrets {
    /** `CACHIX_AUTH_TOKEN`: CI pushes with it, hosts read private caches with it. */
    readonly cachixAuthToken?: pulumi.Input<string>;
    /** `CACHIX_SIGNING_KEY` for self-signed caches. */
    readonly cachixSigningKey?: pulumi.Input<string>;
    /** SSH private keys by config key name. */
    readonly sshPrivateKeys?: Readonly<Record<string, pulumi.Input<string>>>;
}

/** Arguments of {@link CacheSetup}. */
export interface CacheSetupArgs {
    /** The validated stack model (see `loadStackModel`). */
    readonly model: StackModel;
    /** Secret values; only those the model needs are read. */
    readonly secrets: CacheSetupSecrets;
}

/**
 * One organisation's whole binary-cache setup: the cache identity, and the GitHub CI, builder
 * hosts and S3 mirror the stack declares.
 */
export class CacheSetup extends pulumi.ComponentResource {
    /** The cache identity every other part derives from. */
    readonly identity: CacheIdentity;

    constructor(name: string, args: CacheSetupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nix-cache:index:CacheSetup", name, {}, opts);
        const { model, secrets } = args;
        this.identity = new CacheIdentity(
            `${name}-identity`,
            {
                cache: model.cache,
                useCacheNixosOrg: model.useCacheNixosOrg,
                extraCaches: model.extraCaches,
                authToken: model.cache.private ? secrets.cachixAuthToken : undefined,
            },
            { parent: this },
        );
        this.registerOutputs({ identity: this.identity });
    }
}
