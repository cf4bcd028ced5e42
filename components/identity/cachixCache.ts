import { CachixApiError, CachixBinaryCache, CachixRequest, createCache, getCache, getUser, hostOf, Permission } from "./cachixApi";
import { allows, cacheMismatches, DeclaredCache, hasPublicKey, signingKeyPublicBase64 } from "./cachixChecks";

/** A token the stack hands to someone, and the right its use needs on the cache. */
export interface TokenUse {
    /** The config key that holds it, e.g. `cachixAuthToken`: what messages name. */
    readonly configKey: string;
    readonly token: string;
    readonly needs: Permission;
    /** Who gets it, for messages: "CI pushes with it". */
    readonly use: string;
}

/** What to ask Cachix, with which tokens, before anything is registered. */
export interface CachixCheckRequest {
    readonly cache: DeclaredCache;
    /** Cachix's API (`https://app.cachix.org/api/v1`) or a compatible server's. */
    readonly apiUrl: string;
    /** Create the cache when Cachix says it does not exist (with `create.token`). */
    readonly create?: { readonly token: string; readonly configKey: string };
    /** Each token and what it must be allowed; none: the cache is read anonymously. */
    readonly tokens: readonly TokenUse[];
    /** `cachixSigningKey`, whose public key must be one of the cache's. */
    readonly signingKey?: string;
    readonly timeoutMs?: number;
}

/** The cache as Cachix has it, after every check passed. */
export interface CachixCacheView {
    /** The substituter URL: the declared one when given, else Cachix's `uri`. */
    readonly url: string;
    /** Cachix's keys: every declared one is among them. */
    readonly publicKeys: readonly string[];
    readonly isPublic: boolean;
    /** Each token's permission, by config key. */
    readonly permissions: Readonly<Record<string, Permission>>;
    /** The cache did not exist and was created now. */
    readonly created: boolean;
}

/** One or more ways the stack and Cachix disagree, all in one message, no secret in it. */
export class CachixCheckError extends Error {
    constructor(cacheName: string, apiUrl: string, readonly problems: readonly string[]) {
        const noun = problems.length === 1 ? "problem" : "problems";
        super([`cache "${cacheName}" on Cachix (${hostOf(apiUrl)}) does not fit the stack (${problems.length} ${noun}); nothing was changed:`, ...problems.map((p) => `  - ${p}`)].join("\n"));
        this.name = "CachixCheckError";
    }
}

/**
 * Reads the cache from Cachix with each token, creating it first when asked to and Cachix says
 * it does not exist, and checks the stack against it: the declared keys, visibility and URL, each
 * token's permission, the signing key. Throws a {@link CachixCheckError} listing every problem,
 * or a {@link CachixApiError} when Cachix cannot be reached.
 */
export async function cacheFromCachix(request: CachixCheckRequest): Promise<CachixCacheView> {
    const { cache } = request;
    const at = (token?: string): CachixRequest => ({ apiUrl: request.apiUrl, token, timeoutMs: request.timeoutMs });
    const problems: string[] = [];
    const permissions: Record<string, Permission> = {};
    let remote: CachixBinaryCache | undefined;
    let created = false;
    for (const use of request.tokens.length === 0 ? [undefined] : request.tokens) {
        try {
            const seen = await getCache(at(use?.token), cache.name);
            remote ??= seen;
            if (use !== undefined) {
                permissions[use.configKey] = seen.permission;
                problems.push(...permissionProblems(use, seen.permission, cache.name));
            }
        } catch (error) {
            if (!(error instanceof CachixApiError) || error.kind === "unreachable" || error.kind === "unexpected") {
                throw error;
            }
            if (error.kind === "not-found" && request.create !== undefined && !created) {
                remote = await createdCache(request, at);
                created = true;
                problems.push(...(await recheck(use, cache.name, at, permissions)));
                continue;
            }
            problems.push(refusal(error, use, cache));
        }
    }
    if (remote !== undefined) {
        problems.push(...cacheMismatches(cache, remote));
        if (request.signingKey !== undefined) {
            const base64 = signingKeyPublicBase64(request.signingKey);
            if (base64 === undefined || !hasPublicKey(remote.publicSigningKeys, base64)) {
                problems.push(`cachixSigningKey: its public key is not one of cache "${cache.name}"'s (${remote.publicSigningKeys.join(", ") || "none"}); ` +
                    "set the signing key the cache was created with, or use credential authToken");
            }
        }
    }
    if (problems.length > 0 || remote === undefined) {
        throw new CachixCheckError(cache.name, request.apiUrl, problems);
    }
    return {
        url: cache.urlGiven ? cache.url : remote.uri,
        publicKeys: [...remote.publicSigningKeys],
        isPublic: remote.isPublic,
        permissions,
        created,
    };
}

/** Creates the cache as the Terraform provider does: the token's account, create, read back. */
async function createdCache(request: CachixCheckRequest, at: (token?: string) => CachixRequest): Promise<CachixBinaryCache> {
    const { token, configKey } = request.create!;
    try {
        const account = await getUser(at(token));
        await createCache(at(token), request.cache.name, { isPublic: !request.cache.private, accountId: account.id });
        return await getCache(at(token), request.cache.name);
    } catch (error) {
        if (error instanceof CachixApiError && (error.kind === "unauthorized" || error.kind === "forbidden")) {
            throw new CachixCheckError(request.cache.name, request.apiUrl, [
                `cache.create: Cachix refused to create cache "${request.cache.name}" with ${configKey} (${error.message}); ` +
                    "creating a cache needs a personal auth token of the account that will own it",
            ]);
        }
        throw error;
    }
}

/** After creating the cache, the permission of the token that was read before it existed. */
async function recheck(use: TokenUse | undefined, name: string, at: (token?: string) => CachixRequest, permissions: Record<string, Permission>): Promise<string[]> {
    if (use === undefined) {
        return [];
    }
    const seen = await getCache(at(use.token), name);
    permissions[use.configKey] = seen.permission;
    return permissionProblems(use, seen.permission, name);
}

/** What is wrong when a token has less than its use needs: nothing, or one message naming its config key. */
function permissionProblems(use: TokenUse, permission: Permission, cacheName: string): string[] {
    return allows(permission, use.needs)
        ? []
        : [`${use.configKey}: has ${permission} on cache "${cacheName}"; ${use.use}, which needs ${use.needs}. ` +
            `Make a token with ${use.needs} in the cache's settings on Cachix and set it with \`pulumi config set --secret ${use.configKey}\``];
}

/** Why Cachix would not show the cache to a token (or to anyone), and what to do. */
function refusal(error: CachixApiError, use: TokenUse | undefined, cache: DeclaredCache): string {
    if (error.kind === "not-found") {
        return `cache.name: Cachix has no cache "${cache.name}"${use === undefined ? "" : ` that ${use.configKey} can see`}; ` +
            "check the name, create the cache on Cachix, or set cache.create: true";
    }
    if (use === undefined) {
        const what = cache.private ? "set cachixReadToken (a Read token) to read it" : "set cache.private: true and cachixReadToken (a Read token)";
        return `cache.private: Cachix shows cache "${cache.name}" only with a token (${error.message}): it is private; ${what}`;
    }
    return `${use.configKey}: Cachix refuses it for cache "${cache.name}" (${error.message}: revoked, expired or for another cache); ` +
        `${use.use}. Set a valid token with \`pulumi config set --secret ${use.configKey}\``;
}
