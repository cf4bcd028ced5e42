/**
 * Cachix's HTTP API as cachix-api defines it (`Cachix.API`, `Cachix.Types.BinaryCache`,
 * `Cachix.Types.Permission`): the cache as a token sees it, the account a token belongs to, and
 * creating a cache. Tokens travel as `Authorization: Bearer`; no message here ever holds one.
 */

/** How long one request may take before Cachix counts as unreachable. */
export const CACHIX_TIMEOUT_MS = 15_000;

/** What a token may do on a cache (`Cachix.Types.Permission`), weakest first. */
export const PERMISSIONS = ["Read", "Write", "Admin"] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** `GET /cache/{name}`: the cache, and the permission of the token sent (`Cachix.Types.BinaryCache`). */
export interface CachixBinaryCache {
    readonly name: string;
    /** The substituter URL, e.g. `https://atproto.cachix.org`. */
    readonly uri: string;
    readonly isPublic: boolean;
    /** `NAME.cachix.org-N:base64`, every key the cache signs or signed with. */
    readonly publicSigningKeys: readonly string[];
    readonly githubUsername: string;
    readonly permission: Permission;
}

/** `GET /user`: the account a token belongs to; `id` is what creating a cache needs. */
export interface CachixUser {
    readonly id: number;
    readonly githubUsername?: string;
}

/** An answer other than success, by what it means to the caller. */
export class CachixApiError extends Error {
    constructor(
        message: string,
        /** `unreachable`: no answer within the timeout; otherwise the HTTP status's meaning. */
        readonly kind: "unreachable" | "unauthorized" | "forbidden" | "not-found" | "unexpected",
    ) {
        super(message);
        this.name = "CachixApiError";
    }
}

/** Where to reach Cachix, and with which token. */
export interface CachixRequest {
    readonly apiUrl: string;
    /** A Bearer token; undefined asks anonymously. */
    readonly token?: string;
    readonly timeoutMs?: number;
}

/** `GET /cache/{name}`, or a {@link CachixApiError}. */
export async function getCache(request: CachixRequest, name: string): Promise<CachixBinaryCache> {
    const body = await call(request, "GET", `/cache/${encodeURIComponent(name)}`);
    return binaryCacheOf(body, name);
}

/** `GET /user`: the token's account. */
export async function getUser(request: CachixRequest): Promise<CachixUser> {
    const body = (await call(request, "GET", "/user")) as { id?: unknown; githubUsername?: unknown };
    if (typeof body?.id !== "number") {
        throw new CachixApiError(`${hostOf(request.apiUrl)} answered GET /user without an account id`, "unexpected");
    }
    return { id: body.id, ...(typeof body.githubUsername === "string" ? { githubUsername: body.githubUsername } : {}) };
}

/**
 * `POST /cache/{name}` with `{isPublic, generateSigningKey: true, accountID}`, as Cachix's web UI
 * and the Terraform provider create a cache whose key Cachix holds.
 */
export async function createCache(request: CachixRequest, name: string, options: { isPublic: boolean; accountId: number }): Promise<void> {
    await call(request, "POST", `/cache/${encodeURIComponent(name)}`, { isPublic: options.isPublic, generateSigningKey: true, accountID: options.accountId });
}

async function call(request: CachixRequest, method: string, path: string, body?: unknown): Promise<unknown> {
    const url = `${request.apiUrl.replace(/\/+$/, "")}${path}`;
    const host = hostOf(request.apiUrl);
    const timeoutMs = request.timeoutMs ?? CACHIX_TIMEOUT_MS;
    let response: Response;
    try {
        response = await fetch(url, {
            method,
            headers: {
                Accept: "application/json",
                ...(body === undefined ? {} : { "Content-Type": "application/json" }),
                ...(request.token === undefined ? {} : { Authorization: `Bearer ${request.token}` }),
            },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(timeoutMs),
        });
    } catch (error) {
        // The cause's code (ECONNREFUSED, ENOTFOUND) or kind (TimeoutError): never the request, which holds the token.
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const why = cause?.code ?? cause?.message ?? (error as Error).name;
        throw new CachixApiError(`Cachix at ${host} did not answer ${method} ${path} within ${timeoutMs / 1000}s (${why})`, "unreachable");
    }
    const text = await response.text();
    if (!response.ok) {
        throw new CachixApiError(`Cachix at ${host} answered ${method} ${path} with HTTP ${response.status}`, statusKind(response.status));
    }
    try {
        return text === "" ? undefined : (JSON.parse(text) as unknown);
    } catch {
        throw new CachixApiError(`Cachix at ${host} answered ${method} ${path} with something other than JSON`, "unexpected");
    }
}

function statusKind(status: number): CachixApiError["kind"] {
    return status === 401 ? "unauthorized" : status === 403 ? "forbidden" : status === 404 ? "not-found" : "unexpected";
}

/** The answer of `GET /cache/{name}`, checked against cachix-api's type. */
export function binaryCacheOf(body: unknown, name: string): CachixBinaryCache {
    const value = body as Partial<Record<keyof CachixBinaryCache, unknown>> | undefined;
    const keys = value?.publicSigningKeys;
    if (
        typeof value?.uri !== "string" ||
        typeof value.isPublic !== "boolean" ||
        !Array.isArray(keys) ||
        !keys.every((key) => typeof key === "string") ||
        !PERMISSIONS.includes(value.permission as Permission)
    ) {
        throw new CachixApiError(`Cachix's answer for cache "${name}" lacks uri, isPublic, publicSigningKeys or permission`, "unexpected");
    }
    return {
        name: typeof value.name === "string" ? value.name : name,
        uri: value.uri,
        isPublic: value.isPublic,
        publicSigningKeys: keys as string[],
        githubUsername: typeof value.githubUsername === "string" ? value.githubUsername : "",
        permission: value.permission as Permission,
    };
}

/** The host of an API URL, the part messages name. */
export function hostOf(apiUrl: string): string {
    try {
        return new URL(apiUrl).host;
    } catch {
        return apiUrl;
    }
}
