import * as pulumi from "@pulumi/pulumi";
import { CacheSpec, TrustedCacheSpec } from "./config/model";
import { trustedCaches } from "./identity/trustedCaches";
import { renderNetrc } from "./render/netrc";
import { renderNixConfLines } from "./render/nixConf";
import { renderNixosModule } from "./render/nixosModule";

/**
 * Arguments of {@link CacheIdentity}. The cache description is the validated config model,
 * plain rather than `Input`, because content is decided before any resource is registered.
 */
export interface CacheIdentityArgs {
    /** The organisation's cache. */
    readonly cache: CacheSpec;
    /** Trust cache.nixos.org, first. */
    readonly useCacheNixosOrg: boolean;
    /** Other caches to trust, in order. */
    readonly extraCaches: readonly TrustedCacheSpec[];
    /** Caches known only at deploy time (the S3 mirror), trusted after the others. */
    readonly addedCaches?: pulumi.Input<TrustedCacheSpec[]>;
    /** Token for a private cache's netrc; required when the cache is private. */
    readonly authToken?: pulumi.Input<string>;
}

/**
 * The identity of an organisation's binary cache: its URL and keys, and what a host or user
 * needs to trust it (nix.conf lines, a NixOS module, a netrc for private caches).
 * Registers no cloud resources: it is the single source the other components read.
 */
export class CacheIdentity extends pulumi.ComponentResource {
    /** The cache's name. */
    readonly cacheName: pulumi.Output<string>;
    /** The cache's substituter URL. */
    readonly cacheUrl: pulumi.Output<string>;
    /** Substituters in trust order, cache.nixos.org first. */
    readonly substituters: pulumi.Output<string[]>;
    /** Trusted public keys in the same order. */
    readonly trustedPublicKeys: pulumi.Output<string[]>;
    /** The nix.conf lines of a non-NixOS setup. */
    readonly nixConf: pulumi.Output<string>;
    /** A NixOS module setting `nix.settings`. */
    readonly nixosModule: pulumi.Output<string>;
    /** netrc for a private cache (secret); undefined for a public cache. */
    readonly netrc?: pulumi.Output<string>;

    constructor(name: string, args: CacheIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        if (args.cache.private && args.authToken === undefined) {
            throw new Error(`CacheIdentity ${name}: cache "${args.cache.name}" is private; authToken is required for its netrc`);
        }
        super("nix-cache:index:CacheIdentity", name, {}, opts);
        const trusted = pulumi.output(args.addedCaches ?? []).apply((added) => trustedCaches(args, added));
        this.cacheName = pulumi.output(args.cache.name);
        this.cacheUrl = pulumi.output(args.cache.url);
        this.substituters = trusted.apply((t) => [...t.substituters]);
        this.trustedPublicKeys = trusted.apply((t) => [...t.trustedPublicKeys]);
        this.nixConf = trusted.apply(renderNixConfLines);
        this.nixosModule = trusted.apply(renderNixosModule);
        if (args.cache.private) {
            this.netrc = pulumi.secret(pulumi.output(args.authToken!).apply((token) => renderNetrc(args.cache, token)));
        }
        this.registerOutputs({
            cacheName: this.cacheName,
            cacheUrl: this.cacheUrl,
            substituters: this.substituters,
            trustedPublicKeys: this.trustedPublicKeys,
            nixConf: this.nixConf,
            nixosModule: this.nixosModule,
            netrc: this.netrc,
        });
    }
}
