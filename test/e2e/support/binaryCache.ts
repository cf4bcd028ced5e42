import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { exec, execOk } from "./exec";

/** A real binary cache: a signed store path in a `file://` cache, served over HTTP. */
export interface BinaryCache {
    /** `http://127.0.0.1:PORT`. */
    readonly url: string;
    /** The signing key's public half (`NAME:base64`). */
    readonly publicKey: string;
    /** The store path it holds, deleted from the local store so it can only be substituted. */
    readonly storePath: string;
    /** Token required as the netrc password; undefined serves anyone. Can change (rotation). */
    token?: string;
    /** Request lines seen, e.g. `GET /nix-cache-info 200`. */
    readonly requests: string[];
    close(): Promise<void>;
}

const NIX = ["--extra-experimental-features", "nix-command"];

/** A fresh signing key pair named `keyName`, as `nix-store --generate-binary-cache-key` makes it. */
export async function generateCacheKey(dir: string, keyName: string): Promise<{ secretFile: string; publicKey: string }> {
    const secretFile = path.join(dir, `${keyName}.sk`);
    const publicFile = path.join(dir, `${keyName}.pk`);
    await execOk("nix-store", ["--generate-binary-cache-key", keyName, secretFile, publicFile]);
    return { secretFile, publicKey: fs.readFileSync(publicFile, "utf8").trim() };
}

/**
 * Builds a tiny derivation (unique per call), copies it signed into a `file://` cache, serves
 * the cache on 127.0.0.1, and deletes the path from the local store.
 */
export async function startBinaryCache(options: { keyName: string; token?: string }): Promise<BinaryCache> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-bincache-"));
    const cacheDir = path.join(work, "cache");
    const key = await generateCacheKey(work, options.keyName);
    const nonce = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const expression = `derivation { name = "nix-cache-e2e-${nonce}"; builder = "/bin/sh"; args = [ "-c" "echo ${nonce} > $out" ]; system = builtins.currentSystem; }`;
    const storePath = (await execOk("nix-build", ["--no-out-link", "-E", expression])).trim().split("\n").pop()!;
    await execOk("nix", [...NIX, "copy", "--to", `file://${cacheDir}?secret-key=${key.secretFile}`, storePath]);
    await deleteStorePath(storePath);

    const requests: string[] = [];
    const cache: BinaryCache = { url: "", publicKey: key.publicKey, storePath, token: options.token, requests, close: async () => undefined };
    const server = http.createServer((request, response) => {
        const status = serve(cacheDir, cache.token, request, response);
        requests.push(`${request.method} ${request.url} ${status}`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    return Object.assign(cache, {
        url: `http://127.0.0.1:${port}`,
        close: async () => {
            await new Promise<void>((resolve) => server.close(() => resolve()));
            fs.rmSync(work, { recursive: true, force: true });
        },
    });
}

/** Removes a path from the local store again, so the next `nix-store -r` must substitute it. */
export async function deleteStorePath(storePath: string): Promise<void> {
    const result = await exec("nix-store", ["--delete", storePath]);
    if (result.code !== 0 && !/not valid|does not exist/.test(result.stderr)) {
        throw new Error(`nix-store --delete ${storePath}: ${result.stderr}`);
    }
}

// curl sends a netrc entry without `login` as Basic auth with an empty user name.
function serve(dir: string, token: string | undefined, request: http.IncomingMessage, response: http.ServerResponse): number {
    if (token !== undefined && request.headers.authorization !== `Basic ${Buffer.from(`:${token}`).toString("base64")}`) {
        response.writeHead(401, { "WWW-Authenticate": 'Basic realm="nix-cache-e2e"' }).end();
        return 401;
    }
    const relative = decodeURIComponent((request.url ?? "/").split("?")[0]).replace(/^\/+/, "");
    const file = path.join(dir, relative);
    if (!file.startsWith(dir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
        response.writeHead(404).end();
        return 404;
    }
    response.writeHead(200, { "Content-Length": fs.statSync(file).size });
    if (request.method === "HEAD") {
        response.end();
    } else {
        response.end(fs.readFileSync(file));
    }
    return 200;
}
