import * as pulumi from "@pulumi/pulumi";
import { CacheSetupArgs, CacheSetupSecrets } from "../args/setupArgs";
import { gatedHost, machineDeferred } from "../args/deferredEndpoints";
import { resolvedHosts, StackSections, validatedSections } from "../args/validate";
import { CacheIdentity } from "../identity/cacheIdentity";
import { StackModel } from "../config/model";
import { GithubCi } from "../github/githubCi";
import { MirrorCiSecrets } from "../github/mirrorCiSecrets";
import { systemHostsOf } from "../hosts/hostOrder";
import { agentSocketProblem } from "../hosts/agentSocket";
import { NixHost } from "../hosts/nixHost";
import { S3Mirror } from "../mirror/s3Mirror";

/** The parts a {@link CacheSetup} made. */
interface CacheSetupParts {
    readonly identity: CacheIdentity;
    readonly github?: GithubCi;
    readonly mirror?: S3Mirror;
    readonly mirrorCiSecrets?: MirrorCiSecrets;
    readonly hosts: NixHost[];
}

// Kept off the class's properties, which the component schema analyzer reads as the outputs
// other languages see: a component of this package is not a schema type.
const partsOf = new WeakMap<CacheSetup, CacheSetupParts>();

/**
 * One organisation's whole binary-cache setup: the cache identity, and the GitHub CI, builder
 * hosts and S3 mirror it declares.
 */
export class CacheSetup extends pulumi.ComponentResource {
    /** The cache's name. */
    readonly cacheName: pulumi.Output<string>;
    /** The cache's substituter URL. */
    readonly cacheUrl: pulumi.Output<string>;
    /** Substituters in trust order, cache.nixos.org first, the mirror last. */
    readonly substituters: pulumi.Output<string[]>;
    /** Trusted public keys in the same order. */
    readonly trustedPublicKeys: pulumi.Output<string[]>;
    /** The nix.conf lines of a non-NixOS setup. */
    readonly nixConf: pulumi.Output<string>;
    /** A NixOS module setting `nix.settings`. */
    readonly nixosModule: pulumi.Output<string>;
    /** The names of the builder hosts, in the order given. */
    readonly hostNames: pulumi.Output<string[]>;

    /** The cache identity every other part derives from. */
    get identity(): CacheIdentity {
        return partsOf.get(this)!.identity;
    }
    /** GitHub CI (secrets and workflow files), when `github` is given. */
    get github(): GithubCi | undefined {
        return partsOf.get(this)!.github;
    }
    /** The S3 mirror, when `mirror` is given and enabled. */
    get mirror(): S3Mirror | undefined {
        return partsOf.get(this)!.mirror;
    }
    /** The mirror's GitHub secrets, when there are both a mirror and `github`. */
    get mirrorCiSecrets(): MirrorCiSecrets | undefined {
        return partsOf.get(this)!.mirrorCiSecrets;
    }
    /** One per builder host; none depends on another, so one failing leaves the others alone. */
    get hosts(): NixHost[] {
        return partsOf.get(this)!.hosts;
    }

    constructor(name: string, args: CacheSetupArgs, opts?: pulumi.ComponentResourceOptions) {
        const sections: StackSections = {
            cache: args.cache,
            useCacheNixosOrg: args.useCacheNixosOrg,
            extraCaches: args.extraCaches,
            github: args.github,
            hosts: args.hosts,
            mirror: args.mirror,
        };
        // Checked before registering anything, so bad arguments or a missing secret leave no half-made setup.
        const model = validatedSections("CacheSetup", name, sections);
        // Connection fields that are Outputs are checked once they resolve, all hosts together
        // (two entries on one machine); each host's deferred fields wait for that check.
        const hostsChecked = resolvedHosts("CacheSetup", name, sections);
        const missing = missingSecrets(model, args);
        if (missing.length > 0) {
            throw new pulumi.RunError(`CacheSetup ${name}: the arguments need secrets that were not given: ${missing.join(", ")}`);
        }
        // Every host's agent problem at once, by host name, before anything connects.
        const agentProblems = model.hosts.filter((host) => !host.retired).map((host) => agentSocketProblem(host, process.env)).filter((p): p is string => p !== undefined);
        if (agentProblems.length > 0) {
            throw new pulumi.RunError(`CacheSetup ${name}: ${[...new Set(agentProblems)].join("; ")}`);
        }
        super("nix-cache:index:CacheSetup", name, {}, opts);
        const readToken = model.cache.private ? hostsToken(args) : undefined;
        const common = { cache: args.cache, useCacheNixosOrg: args.useCacheNixosOrg };
        const github = args.github === undefined
            ? undefined
            : new GithubCi(
                  `${name}-github`,
                  { ...common, github: args.github, extraCaches: args.extraCaches, mirror: model.mirror === undefined ? undefined : args.mirror, authToken: args.cachixAuthToken!, signingKey: args.cachixSigningKey },
                  { parent: this },
              );
        // The mirror's CI role trusts the branches the workflows push from, as GithubCi found them.
        const mirror = model.mirror === undefined
            ? undefined
            : new S3Mirror(`${name}-mirror`, { ...common, mirror: args.mirror!, github: args.github, workflowBranches: github?.workflowBranches }, { parent: this });
        // Hosts and the identity trust the mirror's generated key, once it exists.
        const addedCaches = mirror?.trustedCache.apply((cache) => [cache]);
        const identity = new CacheIdentity(
            `${name}-identity`,
            { ...common, extraCaches: args.extraCaches, addedCaches, authToken: readToken },
            { parent: this },
        );
        // Machines' system entries first: a `user` entry on the same machine runs after its
        // system entry, which gives the user the daemon's trust the user's apply checks for.
        const made = new Map<string, NixHost>();
        const indexed = model.hosts.map((host, index) => ({ host, index }));
        const ordered = [...indexed.filter(({ host }) => host.kind !== "user"), ...indexed.filter(({ host }) => host.kind === "user")];
        const deferredMachines = new Set(model.hosts.filter((_, index) => machineDeferred(args.hosts![index])).map((host) => host.name));
        for (const { host, index } of ordered) {
            const systems = systemHostsOf(host, model.hosts, (h) => deferredMachines.has(h.name));
            made.set(
                host.name,
                new NixHost(
                    `${name}-host-${host.name}`,
                    {
                        ...common,
                        extraCaches: args.extraCaches,
                        host: hostsChecked === undefined ? args.hosts![index] : gatedHost(args.hosts![index], hostsChecked),
                        addedCaches,
                        privateKey: host.auth.kind === "privateKey" ? (Object.hasOwn(args.sshPrivateKeys ?? {}, host.auth.configKey) ? args.sshPrivateKeys?.[host.auth.configKey] : undefined) : undefined,
                        netrcToken: readToken,
                    },
                    { parent: this, dependsOn: systems.map((system) => made.get(system.name)!) },
                ),
            );
        }
        const hosts = model.hosts.map((host) => made.get(host.name)!);
        const mirrorCiSecrets = mirror === undefined || args.github === undefined
            ? undefined
            : new MirrorCiSecrets(`${name}-mirror-ci`, { ...common, github: args.github, mirror: args.mirror!, values: mirror.ciSecretValues }, { parent: this });
        partsOf.set(this, { identity, github, mirror, mirrorCiSecrets, hosts });
        this.cacheName = identity.cacheName;
        this.cacheUrl = identity.cacheUrl;
        this.substituters = identity.substituters;
        this.trustedPublicKeys = identity.trustedPublicKeys;
        this.nixConf = identity.nixConf;
        this.nixosModule = identity.nixosModule;
        this.hostNames = pulumi.output(model.hosts.map((host) => host.name));
        this.registerOutputs({
            cacheName: this.cacheName,
            cacheUrl: this.cacheUrl,
            substituters: this.substituters,
            trustedPublicKeys: this.trustedPublicKeys,
            nixConf: this.nixConf,
            nixosModule: this.nixosModule,
            hostNames: this.hostNames,
        });
    }
}

/** The secrets the validated arguments need that `secrets` lacks (names only, never values). */
export function missingSecrets(model: StackModel, secrets: CacheSetupSecrets): string[] {
    const needed = new Set<string>();
    if (model.github !== undefined) {
        // cachix-action pushes with the auth token; a signing key is used in addition.
        needed.add("cachixAuthToken");
        if (model.github.secret.credential === "signingKey") {
            needed.add("cachixSigningKey");
        }
    }
    if (model.cache.private && secrets.cachixReadToken === undefined) {
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
    return [...needed].filter((key) => !Object.hasOwn(given, key) || given[key] === undefined);
}

/** The token in the hosts' netrc of a private cache: the read-only one when given, never both. */
export function hostsToken(secrets: CacheSetupSecrets): pulumi.Input<string> | undefined {
    return secrets.cachixReadToken ?? secrets.cachixAuthToken;
}
