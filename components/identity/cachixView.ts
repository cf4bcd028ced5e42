import { CacheSpec } from "../config/model";
import { CachixApiError, getCache, hostOf } from "./cachixApi";
import { cacheMismatches } from "./cachixChecks";
import { declaredCache } from "./declaredCache";

/** The cache as Cachix shows it, beside the stack's declaration: what `verify` reports. */
export interface CachixVerdict {
    /** `ok`: the stack agrees with Cachix; `mismatch`; `offline`: not asked; `error`: no answer. */
    readonly status: "ok" | "mismatch" | "offline" | "error";
    /** Cachix's URL, visibility and keys, then one line per problem. */
    readonly details: readonly string[];
    /** Cachix's keys and URL, when it answered. */
    readonly cache?: { readonly uri: string; readonly isPublic: boolean; readonly publicSigningKeys: readonly string[] };
}

/**
 * Reads the cache from Cachix with `token` (anonymously without one) and compares it with the
 * stack; never throws: an unreachable Cachix is a verdict too. Messages hold no token.
 */
export async function cachixVerdict(cache: CacheSpec, token?: string, timeoutMs?: number): Promise<CachixVerdict> {
    if (cache.cachix.offline) {
        return { status: "offline", details: ["cache.offline: Cachix is not asked"] };
    }
    try {
        const remote = await getCache({ apiUrl: cache.cachix.apiUrl, token, timeoutMs }, cache.name);
        const problems = cacheMismatches(declaredCache(cache), remote);
        const details = [
            `${hostOf(cache.cachix.apiUrl)}: ${remote.uri}, ${remote.isPublic ? "public" : "private"}, keys ${remote.publicSigningKeys.join(", ") || "none"}`,
            ...problems,
        ];
        return { status: problems.length === 0 ? "ok" : "mismatch", details, cache: remote };
    } catch (error) {
        if (!(error instanceof CachixApiError)) {
            throw error;
        }
        const hint = error.kind === "unauthorized" || error.kind === "forbidden" ? " (a private cache: set CACHIX_AUTH_TOKEN to a token that may read it)" : "";
        return { status: "error", details: [`${error.message}${hint}`] };
    }
}
