import * as pulumi from "@pulumi/pulumi";
import { ArgsError } from "../config/argsError";
import { describeKey } from "../config/redact";
import { missingSecrets } from "../config/requiredSecrets";
import { CacheSetupArgs, CacheSetupSecrets } from "../args/setupArgs";
import { gatedHost, machineDeferred } from "../args/deferredEndpoints";
import { modelSlice, resolvedHosts, StackSections, validatedSections, validatedSliceOf, withValidatedSlice } from "../args/validate";
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
        // Checked once, before registering anything, so bad arguments or a missing secret leave no
        // half-made setup; each part is handed its slice of the result and does not check it again.
        // Arguments the program (or the Cachix check) validated come with their model.
        const handed = validatedSliceOf(args);
        const model = handed?.model ?? validatedSections("CacheSetup", name, sections);
        // Connection fields that are Outputs are checked once they resolve, all hosts together
        // (two entries on one machine); each host's deferred fields wait for that check.
        const hostsChecked = handed === undefined ? resolvedHosts("CacheSetup", name, sections) : handed.resolvedHosts;
        const missing = missingSecretArgs(model, args);
        if (missing.length > 0) {
            const problems = missing.map((key) => ({ path: secretArgumentPath(key), message: "is required by the arguments and was not given" }));
            throw new ArgsError("CacheSetup", name, problems, `the arguments need secrets that were not given: ${missing.join(", ")}`);
        }
        // Every host's agent problem at once, by host name, before anything connects.
        const agentProblems = model.hosts.filter((host) => !host.retired).map((host) => agentSocketProblem(host, process.env)).filter((p): p is string => p !== undefined);
        if (agentProblems.length > 0) {
            throw new pulumi.RunError(`CacheSetup ${name}: ${[...new Set(agentProblems)].join("; ")}`);
        }
        super("nix-cache:index:CacheSetup", name, {}, opts);
        const readToken = model.cache.private ? hostsToken(args) : undefined;
        const common = { cache: args.cache, useCacheNixosOrg: args.useCacheNixosOrg };
        // What the model has: an empty section (Pulumi.yaml's `{}` default) is not configured.
        const github = model.github === undefined
            ? undefined
            : new GithubCi(
                  `${name}-github`,
                  withValidatedSlice(
                      { ...common, github: args.github!, extraCaches: args.extraCaches, mirror: model.mirror === undefined ? undefined : args.mirror, authToken: args.cachixAuthToken!, signingKey: args.cachixSigningKey },
                      { model: modelSlice(model, ["extraCaches", "github", "mirror"]) },
                  ),
                  { parent: this },
              );
        // The mirror's CI role trusts the branches the workflows push from, as GithubCi found them.
        const mirror = model.mirror === undefined
            ? undefined
            : new S3Mirror(
                  `${name}-mirror`,
                  withValidatedSlice({ ...common, mirror: args.mirror!, github: model.github === undefined ? undefined : args.github, workflowBranches: github?.workflowBranches }, { model: modelSlice(model, ["github", "mirror"]) }),
                  { parent: this },
              );
        // Hosts and the identity trust the mirror's generated key, once it exists.
        const addedCaches = mirror?.trustedCache.apply((cache) => [cache]);
        const identity = new CacheIdentity(
            `${name}-identity`,
            withValidatedSlice({ ...common, extraCaches: args.extraCaches, addedCaches, authToken: readToken }, { model: modelSlice(model, ["extraCaches"]) }),
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
                    withValidatedSlice(
                        {
                            ...common,
                            extraCaches: args.extraCaches,
                            host: hostsChecked === undefined ? args.hosts![index] : gatedHost(args.hosts![index], hostsChecked),
                            addedCaches,
                            privateKey: host.auth.kind === "privateKey" ? (Object.hasOwn(args.sshPrivateKeys ?? {}, host.auth.configKey) ? args.sshPrivateKeys?.[host.auth.configKey] : undefined) : undefined,
                            netrcToken: readToken,
                        },
                        { model: { ...modelSlice(model, ["extraCaches"]), hosts: [host] }, resolvedHosts: hostsChecked?.apply((resolved) => [resolved[index]]) },
                    ),
                    { parent: this, dependsOn: systems.map((system) => made.get(system.name)!) },
                ),
            );
        }
        const hosts = model.hosts.map((host) => made.get(host.name)!);
        const mirrorCiSecrets = mirror === undefined || model.github === undefined
            ? undefined
            : new MirrorCiSecrets(
                  `${name}-mirror-ci`,
                  withValidatedSlice({ ...common, github: args.github!, mirror: args.mirror!, values: mirror.ciSecretValues }, { model: modelSlice(model, ["github", "mirror"]) }),
                  { parent: this },
              );
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

/** The secrets the validated arguments need that `secrets` lacks (names only, never values), each once. */
export function missingSecretArgs(model: StackModel, secrets: CacheSetupSecrets): string[] {
    const given: Record<string, unknown> = {
        cachixAuthToken: secrets.cachixAuthToken,
        cachixSigningKey: secrets.cachixSigningKey,
        cachixReadToken: secrets.cachixReadToken,
        ...secrets.sshPrivateKeys,
    };
    const missing = missingSecrets({
        githubCredential: model.github?.secret.credential,
        privateCache: model.cache.private,
        hostKeys: model.hosts.map((host) => (host.auth.kind === "privateKey" ? host.auth.configKey : undefined)),
        given: (key) => Object.hasOwn(given, key) && given[key] !== undefined,
    });
    return [...new Set(missing.map((m) => m.key))];
}

/** The token in the hosts' netrc of a private cache: the read-only one when given, never both. */
export function hostsToken(secrets: CacheSetupSecrets): pulumi.Input<string> | undefined {
    return secrets.cachixReadToken ?? secrets.cachixAuthToken;
}

/** The argument a secret is given in: a Cachix one by its name, an SSH key in `sshPrivateKeys`. */
function secretArgumentPath(key: string): string {
    return ["cachixAuthToken", "cachixSigningKey", "cachixReadToken"].includes(key) ? key : `sshPrivateKeys.${describeKey(key)}`;
}
