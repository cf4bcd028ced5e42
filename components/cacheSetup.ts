import * as pulumi from "@pulumi/pulumi";
import { CacheIdentity } from "./cacheIdentity";
import { StackModel } from "./config/model";
import { GithubCi } from "./githubCi";
import { MirrorCiSecrets } from "./mirrorCiSecrets";
import { systemHostOf } from "./hosts/hostOrder";
import { NixHost } from "./nixHost";
import { S3Mirror } from "./s3Mirror";

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
    /** GitHub CI (secrets and workflow files), when the stack has a `github` section. */
    readonly github?: GithubCi;
    /** The S3 mirror, when the stack's `mirror` section enables it. */
    readonly mirror?: S3Mirror;
    /** The mirror's GitHub secrets, when the stack has both a mirror and a `github` section. */
    readonly mirrorCiSecrets?: MirrorCiSecrets;
    /** One per builder host; none depends on another, so one failing leaves the others alone. */
    readonly hosts: NixHost[];

    constructor(name: string, args: CacheSetupArgs, opts?: pulumi.ComponentResourceOptions) {
        const { model, secrets } = args;
        // Checked before registering anything, so a missing secret leaves no half-made setup.
        const missing = missingSecrets(model, secrets);
        if (missing.length > 0) {
            throw new Error(`CacheSetup ${name}: the model needs secrets that were not given: ${missing.join(", ")}`);
        }
        super("nix-cache:index:CacheSetup", name, {}, opts);
        // The mirror comes first: the identity trusts its generated key.
        if (model.mirror !== undefined) {
            this.mirror = new S3Mirror(`${name}-mirror`, { mirror: model.mirror, github: model.github }, { parent: this });
        }
        // Hosts and the identity trust the mirror's generated key, once it exists.
        const addedCaches = this.mirror?.trustedCache.apply((cache) => [cache]);
        this.identity = new CacheIdentity(
            `${name}-identity`,
            {
                cache: model.cache,
                useCacheNixosOrg: model.useCacheNixosOrg,
                extraCaches: model.extraCaches,
                addedCaches,
                authToken: model.cache.private ? secrets.cachixAuthToken : undefined,
            },
            { parent: this },
        );
        if (model.github !== undefined) {
            const credentials = { authToken: secrets.cachixAuthToken!, signingKey: secrets.cachixSigningKey };
            this.github = new GithubCi(
                `${name}-github`,
                { github: model.github, cache: model.cache, extraCaches: model.extraCaches, mirror: model.mirror, credentials },
                { parent: this },
            );
        }
        // Machines' system entries first: a `user` entry on the same machine runs after its
        // system entry, which gives the user the daemon's trust the user's apply checks for.
        const made = new Map<string, NixHost>();
        const ordered = [...model.hosts.filter((h) => h.kind !== "user"), ...model.hosts.filter((h) => h.kind === "user")];
        for (const host of ordered) {
            const system = systemHostOf(host, model.hosts);
            made.set(
                host.name,
                new NixHost(
                    `${name}-host-${host.name}`,
                    {
                        model,
                        host,
                        addedCaches,
                        privateKey: host.auth.kind === "privateKey" ? secrets.sshPrivateKeys?.[host.auth.configKey] : undefined,
                        netrcToken: model.cache.private ? secrets.cachixAuthToken : undefined,
                    },
                    { parent: this, dependsOn: system === undefined ? [] : [made.get(system.name)!] },
                ),
            );
        }
        this.hosts = model.hosts.map((host) => made.get(host.name)!);
        if (this.mirror !== undefined && model.mirror !== undefined && model.github !== undefined) {
            this.mirrorCiSecrets = new MirrorCiSecrets(
                `${name}-mirror-ci`,
                { github: model.github, mirror: model.mirror, values: this.mirror.ciSecretValues },
                { parent: this },
            );
        }
        this.registerOutputs({ identity: this.identity, github: this.github, mirror: this.mirror, mirrorCiSecrets: this.mirrorCiSecrets, hosts: this.hosts });
    }
}

/** The secret config keys the model needs whose values `secrets` lacks (names only, never values). */
export function missingSecrets(model: StackModel, secrets: CacheSetupSecrets): string[] {
    const needed = new Set<string>();
    if (model.github !== undefined) {
        // cachix-action pushes with the auth token; a signing key is used in addition.
        needed.add("cachixAuthToken");
        if (model.github.secret.credential === "signingKey") {
            needed.add("cachixSigningKey");
        }
    }
    if (model.cache.private) {
        needed.add("cachixAuthToken");
    }
    const given: Record<string, unknown> = {
        cachixAuthToken: secrets.cachixAuthToken,
        cachixSigningKey: secrets.cachixSigningKey,
        ...secrets.sshPrivateKeys,
    };
    for (const host of model.hosts) {
        if (host.auth.kind === "privateKey") {
            needed.add(host.auth.configKey);
        }
    }
    return [...needed].filter((key) => given[key] === undefined);
}
