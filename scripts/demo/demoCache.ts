import * as fs from "fs";
import * as path from "path";
import { serveCacheDir } from "../localhost/cacheServer";
import { buildIntoCache, generateCacheKey } from "../localhost/nixStore";

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
    const server = await serveCacheDir(path.join(dir, "cache"), { port: options.port });
    return { url: server.url, publicKey, storePath, close: server.close };
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
    const storePath = await buildIntoCache(DEMO_DERIVATION, path.join(dir, "cache"), path.join(dir, `${keyName}.sk`));
    fs.writeFileSync(path.join(dir, "store-path"), `${storePath}\n`);
    return storePath;
}
