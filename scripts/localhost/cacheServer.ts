import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";

/** A `file://` binary cache directory served over HTTP on 127.0.0.1, as a host reads a real cache. */
export interface CacheServer {
    /** `http://127.0.0.1:PORT`, the substituter URL. */
    readonly url: string;
    readonly port: number;
    /** Every request, in order, as `METHOD /path STATUS`: proof of what a host fetched. */
    readonly requests: string[];
    close(): Promise<void>;
}

/** How to serve a cache directory. */
export interface CacheServerOptions {
    /** Default: a free one. */
    readonly port?: number;
    /**
     * The password a request must carry, as curl sends a netrc entry without `login` (Basic
     * auth, empty user name); asked on every request, so it can change (token rotation).
     * Undefined, or returning undefined: anyone is served.
     */
    readonly token?: () => string | undefined;
}

/**
 * Serves `dir` read-only. In the calling process rather than a server program, so nothing more
 * than Node is needed; callers run Nix without blocking the event loop, so it keeps answering.
 */
export async function serveCacheDir(dir: string, options: CacheServerOptions = {}): Promise<CacheServer> {
    const root = path.resolve(dir);
    const requests: string[] = [];
    const server = http.createServer((request, response) => {
        const status = respond(root, options.token?.(), request, response);
        requests.push(`${request.method} ${request.url} ${status}`);
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port ?? 0, "127.0.0.1", resolve);
    });
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        port,
        requests,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

function respond(root: string, token: string | undefined, request: http.IncomingMessage, response: http.ServerResponse): number {
    if (token !== undefined && request.headers.authorization !== `Basic ${Buffer.from(`:${token}`).toString("base64")}`) {
        response.writeHead(401, { "WWW-Authenticate": 'Basic realm="nix-cache"' }).end();
        return 401;
    }
    const relative = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname).replace(/^\/+/, "");
    const file = path.resolve(root, relative);
    const stat = file.startsWith(`${root}${path.sep}`) ? fs.statSync(file, { throwIfNoEntry: false }) : undefined;
    if (stat === undefined || !stat.isFile()) {
        response.writeHead(404).end();
        return 404;
    }
    response.writeHead(200, { "Content-Length": stat.size });
    if (request.method === "HEAD") {
        response.end();
    } else {
        // Streamed: benchmark NARs are tens of MiB.
        fs.createReadStream(file).pipe(response);
    }
    return 200;
}
