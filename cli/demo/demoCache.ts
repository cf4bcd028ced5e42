import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { deleteStorePath, generateCacheKey } from "../../test/e2e/support/binaryCache";
import { execOk } from "../../test/e2e/support/exec";

/** The demo's binary cache: one signed store path in a `file://` cache, served over HTTP. */
export interface DemoCache {
    /** `http://127.0.0.1:PORT`. */
    readonly url: string;
    /** `NAME:base64`, the key the stack declares. */
    readonly publicKey: string;
    /** The path the cache holds (the same one every run: the derivation is fixed). */
    readonly storePath: string;
    close(): Promise<void>;
}

// A fixed derivation, so every run (and `--destroy`) means the same store path.
const DEMO_DERIVATION =
    'derivation { name = "nix-cache-demo-greeting"; builder = "/bin/sh"; args = [ "-c" "echo Hello from the nix-cache demo binary cache > $out" ]; system = builtins.currentSystem; }';

/**
 * Starts the cache kept in `dir`: the signing key and the cached path are made on the first
 * run and reused after, so the stack's config (URL, key) is the same every run.
 */
export async function startDemoCache(dir: string, options: { keyName: string; port: number }): Promise<DemoCache> {
    fs.mkdirSync(dir, { recursive: true });
    const publicKey = await signingKey(dir, options.keyName);
    const storePath = await cachedPath(dir, options.keyName);
    const server = http.createServer((request, response) => serveFile(path.join(dir, "cache"), request, response));
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port, "127.0.0.1", resolve);
    });
    return {
        url: `http://127.0.0.1:${options.port}`,
        publicKey,
        storePath,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}

/** The demo's store path, if the cache in `dir` was made. */
export function demoStorePath(dir: string): string | undefined {
    const file = path.join(dir, "store-path");
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() : undefined;
}

async function signingKey(dir: string, keyName: string): Promise<string> {
    const publicFile = path.join(dir, `${keyName}.pk`);
    if (fs.existsSync(publicFile) && fs.existsSync(path.join(dir, `${keyName}.sk`))) {
        return fs.readFileSync(publicFile, "utf8").trim();
    }
    return (await generateCacheKey(dir, keyName)).publicKey;
}

// Built, signed into the cache, then deleted from this machine's store: the host, which uses
// this machine's store, can then only get it by substituting it from the cache.
async function cachedPath(dir: string, keyName: string): Promise<string> {
    const known = demoStorePath(dir);
    if (known !== undefined && fs.existsSync(path.join(dir, "cache", `${path.basename(known).split("-")[0]}.narinfo`))) {
        return known;
    }
    const storePath = (await execOk("nix-build", ["--no-out-link", "-E", DEMO_DERIVATION])).trim().split("\n").pop()!;
    const secretKey = path.join(dir, `${keyName}.sk`);
    await execOk("nix", ["--extra-experimental-features", "nix-command", "copy", "--to", `file://${path.join(dir, "cache")}?secret-key=${secretKey}`, storePath]);
    await deleteStorePath(storePath);
    fs.writeFileSync(path.join(dir, "store-path"), `${storePath}\n`);
    return storePath;
}

function serveFile(root: string, request: http.IncomingMessage, response: http.ServerResponse): void {
    const relative = decodeURIComponent((request.url ?? "/").split("?")[0]).replace(/^\/+/, "");
    const file = path.resolve(root, relative);
    if (!file.startsWith(`${root}${path.sep}`) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
        response.writeHead(404).end();
        return;
    }
    response.writeHead(200, { "Content-Length": fs.statSync(file).size });
    response.end(request.method === "HEAD" ? undefined : fs.readFileSync(file));
}
