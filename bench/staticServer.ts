import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";

/** A binary cache directory served over HTTP, as a host reads a real cache. */
export interface StaticServer {
    /** `http://127.0.0.1:PORT`, the substituter URL. */
    readonly url: string;
    /** Every path requested, in order: proof that a substitution really went over HTTP. */
    readonly requests: string[];
    close(): Promise<void>;
}

/**
 * Serves `dir` read-only on a free loopback port. In-process rather than a separate server
 * program, so a clean machine needs nothing more than Node; the runner awaits Nix's commands
 * asynchronously, so its event loop is free to answer them.
 */
export async function serveDirectory(dir: string): Promise<StaticServer> {
    const root = path.resolve(dir);
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
        const urlPath = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
        requests.push(urlPath);
        const file = path.join(root, path.normalize(urlPath));
        if (!file.startsWith(root + path.sep)) {
            res.writeHead(404).end();
            return;
        }
        fs.stat(file, (error, stat) => {
            if (error !== null || !stat.isFile()) {
                res.writeHead(404).end();
                return;
            }
            res.writeHead(200, { "content-length": stat.size });
            if (req.method === "HEAD") {
                res.end();
                return;
            }
            fs.createReadStream(file).pipe(res);
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}
