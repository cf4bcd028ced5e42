import * as http from "http";
import { AddressInfo } from "net";
import { generateNixSigningKey } from "../../components/formats/signingKey";
import type { CachixBinaryCache, Permission } from "../../components/identity/cachixApi";

/** A cache the local Cachix holds. */
export interface LocalCachixCache {
    readonly name: string;
    /** Where its binary cache is served (a local one, e.g. `startBinaryCache`'s URL). */
    uri: string;
    isPublic: boolean;
    publicSigningKeys: string[];
}

/** A token: its account, whether it is a personal one (account-wide), and its permission per cache. */
export interface LocalCachixToken {
    readonly accountId: number;
    readonly personal: boolean;
    readonly permissions: Record<string, Permission>;
}

/**
 * Cachix's API on 127.0.0.1, as cachix-api's types define it: `GET /api/v1/cache/{name}` (the
 * `BinaryCache` with the sent Bearer token's `permission`), `GET /api/v1/user` and
 * `POST /api/v1/cache/{name}` (creating, as the Terraform provider does). Unknown caches are 404;
 * an unknown or revoked token is 401; a private cache refuses an anonymous read (401) and a token
 * without a permission on it (403); anyone reads a public cache (`Read`).
 */
export interface LocalCachix {
    /** `http://127.0.0.1:PORT/api/v1`, the stack's `cache.apiUrl`. */
    readonly apiUrl: string;
    readonly caches: Map<string, LocalCachixCache>;
    /** By token value; deleting one revokes it. */
    readonly tokens: Map<string, LocalCachixToken>;
    /** `METHOD /path STATUS` per request, in order; never a token. */
    readonly requests: string[];
    /** Where a created cache's binary cache is served. */
    uriOfCreated: (name: string) => string;
    close(): Promise<void>;
}

const ACCOUNT_NAME = "local-account";

/** Starts the server on `port` (default: a free one), in this process (Node only). */
export async function startLocalCachix(options: { port?: number } = {}): Promise<LocalCachix> {
    const cachix: LocalCachix = {
        apiUrl: "",
        caches: new Map(),
        tokens: new Map(),
        requests: [],
        uriOfCreated: (name) => `https://${name}.cachix.org`,
        close: async () => undefined,
    };
    const server = http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
            const { status, body } = answer(cachix, request, Buffer.concat(chunks).toString("utf8"));
            cachix.requests.push(`${request.method} ${new URL(request.url ?? "/", "http://localhost").pathname} ${status}`);
            response.writeHead(status, { "Content-Type": "application/json" }).end(body === undefined ? "" : JSON.stringify(body));
        });
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port ?? 0, "127.0.0.1", resolve);
    });
    const { port } = server.address() as AddressInfo;
    return Object.assign(cachix, {
        apiUrl: `http://127.0.0.1:${port}/api/v1`,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    });
}

interface Answer {
    readonly status: number;
    readonly body?: unknown;
}

function answer(cachix: LocalCachix, request: http.IncomingMessage, text: string): Answer {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const header = request.headers.authorization;
    const bearer = header?.startsWith("Bearer ") ? header.slice("Bearer ".length) : undefined;
    const token = bearer === undefined ? undefined : cachix.tokens.get(bearer);
    if (bearer !== undefined && token === undefined) {
        return { status: 401, body: { error: "Unauthorized" } };
    }
    if (request.method === "GET" && path === "/api/v1/user") {
        return token?.personal ? { status: 200, body: { id: token.accountId, githubUsername: ACCOUNT_NAME } } : { status: 401, body: { error: "Unauthorized" } };
    }
    const match = /^\/api\/v1\/cache\/([^/]+)$/.exec(path);
    if (match === null) {
        return { status: 404, body: { error: "Not Found" } };
    }
    const name = decodeURIComponent(match[1]);
    if (request.method === "POST") {
        return create(cachix, name, token, text);
    }
    if (request.method !== "GET") {
        return { status: 405 };
    }
    const cache = cachix.caches.get(name);
    if (cache === undefined) {
        return { status: 404, body: { error: "Not Found" } };
    }
    const granted = token?.permissions[name];
    if (!cache.isPublic && token === undefined) {
        return { status: 401, body: { error: "Unauthorized" } };
    }
    if (!cache.isPublic && granted === undefined) {
        return { status: 403, body: { error: "Forbidden" } };
    }
    const body: CachixBinaryCache & { preferredCompressionMethod: string } = {
        name,
        uri: cache.uri,
        isPublic: cache.isPublic,
        publicSigningKeys: [...cache.publicSigningKeys],
        githubUsername: ACCOUNT_NAME,
        permission: granted ?? "Read",
        preferredCompressionMethod: "ZSTD",
    };
    return { status: 200, body };
}

/** `POST /cache/{name}`: a personal token of the account named in the body creates it, with a key Cachix holds. */
function create(cachix: LocalCachix, name: string, token: LocalCachixToken | undefined, text: string): Answer {
    if (token === undefined || !token.personal) {
        return { status: 401, body: { error: "Unauthorized" } };
    }
    const body = JSON.parse(text || "{}") as { isPublic?: unknown; accountID?: unknown };
    if (typeof body.isPublic !== "boolean" || body.accountID !== token.accountId) {
        return { status: 400, body: { error: "Bad Request" } };
    }
    if (cachix.caches.has(name)) {
        return { status: 409, body: { error: "Conflict" } };
    }
    const key = generateNixSigningKey(`${name}.cachix.org-1`);
    cachix.caches.set(name, { name, uri: cachix.uriOfCreated(name), isPublic: body.isPublic, publicSigningKeys: [key.publicKey] });
    token.permissions[name] = "Admin";
    return { status: 201, body: {} };
}
