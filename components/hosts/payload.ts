import { HostSpec, StackModel, TrustedCacheSpec } from "../config/model";
import { trustedCaches } from "../config/trustedCaches";
import { NixosModuleFile } from "../render/nixosModule";
import { hostSubstituterUrl, renderManagedNixConf } from "./nixConfFragment";
import { nixosHostFiles } from "./nixosHostFiles";

/** What a host's effective Nix configuration must contain once applied. */
export interface ExpectedSettings {
    /** Every one of these substituters (compared without a trailing slash). */
    readonly substituters: readonly string[];
    /** Every one of these keys. */
    readonly trustedPublicKeys: readonly string[];
    /** Every one of these users or @groups (the daemon's list; empty for `user` hosts). */
    readonly trustedUsers: readonly string[];
}

/** Everything one host gets, decided before anything connects to it. */
export interface HostPayload {
    /** The host. */
    readonly host: HostSpec;
    /** `nix` and `user` hosts: the managed file included from nix.conf. */
    readonly managedConf?: string;
    /** `nixos` hosts: files under /etc/nixos, paths relative to it. */
    readonly nixosFiles?: readonly NixosModuleFile[];
    /** What verify checks in the effective configuration. */
    readonly expected: ExpectedSettings;
    /** Private caches: the netrc `machine` (the cache URL's host name); undefined when public. */
    readonly netrcMachine?: string;
    /**
     * Who manages the host's files, `PROJECT/STACK/HOST`: stamped on the host by apply, and a run
     * of any other owner is refused there. Empty: not stamped, not checked (read-only tools).
     */
    readonly owner: string;
}

/**
 * The owner stamp of `host` in stack `stack` of Pulumi project `project` (this program's by
 * default): two projects with a stack of the same name are two owners.
 */
export function hostOwner(project: string, stack: string, host: Pick<HostSpec, "name">): string {
    return `${project}/${stack}/${host.name}`;
}

/** The stack parts a host's settings come from. */
export type HostModel = Pick<StackModel, "cache" | "useCacheNixosOrg" | "extraCaches">;

/**
 * The payload of `host`: the caches of `model` (and `added` ones, such as the S3 mirror), owned
 * by `owner` (see {@link hostOwner}).
 */
export function hostPayload(model: HostModel, host: HostSpec, added: readonly TrustedCacheSpec[] = [], owner = ""): HostPayload {
    const trusted = trustedCaches(model, added);
    const netrcMachine = model.cache.private ? new URL(model.cache.url).hostname : undefined;
    const substituters = trusted.substituters.map(hostSubstituterUrl);
    if (host.kind === "nixos") {
        const trustedUsers = host.trustedUsers.length > 0 ? ["root", ...host.trustedUsers.filter((u) => u !== "root")] : [];
        return {
            host,
            nixosFiles: nixosHostFiles(trusted, host.trustedUsers),
            expected: { substituters, trustedPublicKeys: trusted.trustedPublicKeys, trustedUsers },
            netrcMachine,
            owner,
        };
    }
    const trustedUsers = host.kind === "nix" ? host.trustedUsers : [];
    const managedConf = renderManagedNixConf({
        substituters: trusted.substituters,
        trustedPublicKeys: trusted.trustedPublicKeys,
        trustedUsers,
        userNetrc: host.kind === "user" && netrcMachine !== undefined,
    });
    return { host, managedConf, expected: { substituters, trustedPublicKeys: trusted.trustedPublicKeys, trustedUsers }, netrcMachine, owner };
}
