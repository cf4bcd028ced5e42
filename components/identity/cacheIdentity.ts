import * as pulumi from "@pulumi/pulumi";
import { CacheArgs, ExtraCacheArgs, TrustedCacheArgs } from "../args/cacheArgs";
import { checkedDeployTimeValue, validatedSections } from "../args/validate";
import { trustedCaches } from "../config/trustedCaches";
import { renderNetrc } from "../render/netrc";
import { renderNixConfLines } from "../render/nixConf";
import { renderNixosModule } from "../render/nixosModule";

/**
 * Arguments of {@link CacheIdentity}. The caches are plain values, checked like the stack file's
 * (they decide the content of every rendered file); the token may be an Output.
 */
export interface CacheIdentityArgs {
    /** The organisation's cache. */
    cache: CacheArgs;
    /** Trust cache.nixos.org, first (true unless set). */
    useCacheNixosOrg?: boolean;
    /** Other caches to trust, in order. */
    extraCaches?: ExtraCacheArgs[];
    /** Caches known only at deploy time (the S3 mirror), trusted after the others. */
    addedCaches?: pulumi.Input<TrustedCacheArgs[]>;
    /** Token for a private cache's netrc; required when the cache is private. */
    authToken?: pulumi.Input<string>;
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
        const model = validatedSections("CacheIdentity", name, { cache: args.cache, useCacheNixosOrg: args.useCacheNixosOrg, extraCaches: args.extraCaches });
        const { cache } = model;
        if (cache.private && args.authToken === undefined) {
            throw new pulumi.RunError(`CacheIdentity ${name}: cache "${cache.name}" is private; authToken is required for its netrc`);
        }
        super("nix-cache:index:CacheIdentity", name, {}, opts);
        const trusted = pulumi.output(args.addedCaches ?? []).apply((added) => trustedCaches(model, checkedDeployTimeValue("CacheIdentity", name, "addedCaches", added)));
        this.cacheName = pulumi.output(cache.name);
        this.cacheUrl = pulumi.output(cache.url);
        this.substituters = trusted.apply((t) => [...t.substituters]);
        this.trustedPublicKeys = trusted.apply((t) => [...t.trustedPublicKeys]);
        this.nixConf = trusted.apply(renderNixConfLines);
        this.nixosModule = trusted.apply(renderNixosModule);
        if (cache.private) {
            this.netrc = pulumi.secret(pulumi.output(args.authToken!).apply((token) => renderNetrc(cache, token)));
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
