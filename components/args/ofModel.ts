/**
 * The components' arguments of a validated stack model: how a stack file (through
 * `loadStackModel`) becomes the arguments a program could also write by hand. Fields the model
 * fills with defaults that the arguments only accept in one setting are left out elsewhere, so
 * the arguments pass the same schema again.
 */
import type { CacheSetupArgs, CacheSetupSecrets } from "./setupArgs";
import { CacheSpec, GithubSpec, HostSpec, MirrorSpec, SshEndpointSpec, StackModel, TrustedCacheSpec } from "../config/model";
import { CacheArgs, ExtraCacheArgs } from "./cacheArgs";
import { GithubArgs } from "./githubArgs";
import { HostArgs, SshEndpointArgs } from "./hostArgs";
import { MirrorArgs } from "./mirrorArgs";
import { StackSections } from "./validate";

/** The {@link CacheSetup} arguments of a validated stack model and its secret values. */
export function cacheSetupArgsOf(model: StackModel, secrets: CacheSetupSecrets): CacheSetupArgs {
    return {
        ...stackSectionsOf(model),
        cachixAuthToken: secrets.cachixAuthToken,
        cachixSigningKey: secrets.cachixSigningKey,
        cachixReadToken: secrets.cachixReadToken,
        sshPrivateKeys: { ...secrets.sshPrivateKeys },
    };
}

/** The sections of the stack as component arguments. */
export function stackSectionsOf(model: StackModel): Required<Pick<StackSections, "cache" | "useCacheNixosOrg" | "extraCaches" | "hosts">> & Pick<StackSections, "github" | "mirror"> {
    return {
        cache: cacheArgsOf(model.cache),
        useCacheNixosOrg: model.useCacheNixosOrg,
        extraCaches: model.extraCaches.map(extraCacheArgsOf),
        hosts: model.hosts.map(hostArgsOf),
        github: model.github === undefined ? undefined : githubArgsOf(model.github),
        mirror: model.mirror === undefined ? undefined : mirrorArgsOf(model.mirror),
    };
}

/** The organisation's cache as arguments. */
export function cacheArgsOf(cache: CacheSpec): CacheArgs {
    return {
        name: cache.name,
        // Only a URL the stack set: otherwise Cachix's `uri` is the one to use.
        ...(cache.urlGiven ? { url: cache.url } : {}),
        publicKeys: [...cache.publicKeys],
        private: cache.private,
        overrideUrl: cache.overrideUrl,
        offline: cache.cachix.offline,
        apiUrl: cache.cachix.apiUrl,
        create: cache.cachix.create,
    };
}

/** An extra cache as arguments: a Cachix one keeps its name. */
export function extraCacheArgsOf(cache: TrustedCacheSpec): ExtraCacheArgs {
    return { ...(cache.cachixName === undefined ? {} : { name: cache.cachixName }), url: cache.url, publicKeys: [...cache.publicKeys] };
}

function endpointArgsOf(ssh: SshEndpointSpec | NonNullable<HostSpec["proxy"]>): SshEndpointArgs {
    return { address: ssh.address, port: ssh.port, user: ssh.user, ...(ssh.hostKey === undefined ? {} : { hostKey: ssh.hostKey }) };
}

/** A host as arguments. */
export function hostArgsOf(host: HostSpec): HostArgs {
    const auth = host.auth.kind === "agent"
        ? (host.auth.socket === undefined ? { sshAgent: true } : { sshAgentSocket: host.auth.socket })
        : { privateKeySecret: host.auth.configKey };
    return {
        name: host.name,
        kind: host.kind,
        ...endpointArgsOf(host.ssh),
        insecureSkipHostKeyVerification: host.insecureSkipHostKeyVerification,
        ...auth,
        ...(host.proxy === undefined ? {} : { proxy: endpointArgsOf(host.proxy) }),
        trustedUsers: [...host.trustedUsers],
        nixConfDir: host.nixConfDir,
        ...(host.kind === "nixos" ? { nixosRebuild: host.nixosRebuild } : {}),
        restartDaemon: host.restartDaemon,
        commandTimeout: host.commandTimeoutSeconds,
        ...(host.retired ? { retired: true } : {}),
    };
}

/** The `github` section as arguments. */
export function githubArgsOf(github: GithubSpec): GithubArgs {
    const { secret, workflow } = github;
    const organization = secret.scope === "organization";
    const { schedule, systems, actions, cachixOptions, ...rest } = workflow;
    return {
        owner: github.owner,
        repositories: github.repositories.map((repo) => ({
            name: repo.name,
            ...(repo.branch === undefined ? {} : { branch: repo.branch }),
            targets: [...repo.targets],
            ...(repo.targetsBySystem === undefined
                ? {}
                : { targetsBySystem: Object.fromEntries(Object.entries(repo.targetsBySystem).map(([system, targets]) => [system, [...targets]])) }),
        })),
        secret: {
            scope: secret.scope,
            ...(organization ? { visibility: secret.visibility } : {}),
            ...(secret.environment === undefined ? {} : { environment: secret.environment }),
            ...(secret.createEnvironment === undefined ? {} : { createEnvironment: secret.createEnvironment }),
            ...(secret.manageEnvironment === undefined ? {} : { manageEnvironment: secret.manageEnvironment }),
            credential: secret.credential,
            name: secret.name,
            ...(secret.credential === "signingKey" ? { authTokenName: secret.authTokenName } : {}),
            ...(organization && secret.visibility === "selected" ? { access: secret.access } : {}),
        },
        workflow: {
            ...rest,
            ...(schedule === undefined ? { noSchedule: true } : { schedule }),
            ...(systems === undefined ? {} : { systems: systems.map((s) => ({ ...s })) }),
            actions: { ...actions, pins: { ...actions.pins } },
            cachixOptions: { ...cachixOptions },
        },
    };
}

/** The `mirror` section as arguments. */
export function mirrorArgsOf(mirror: MirrorSpec): MirrorArgs {
    const { oidcSubjectClaims, ciCredentials, ...rest } = mirror;
    return {
        ...rest,
        // CI's credentials are AWS's only: the model's default is left out for another server.
        ...(mirror.endpoint === undefined ? { ciCredentials } : {}),
        ...(oidcSubjectClaims === undefined ? {} : { oidcSubjectClaims: [...oidcSubjectClaims] }),
    };
}
