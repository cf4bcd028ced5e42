import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { serveCacheDir } from "./cacheServer";
import { buildIntoCache, generateCacheKey } from "./nixStore";

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
    /** Requests seen, e.g. `GET /nix-cache-info 200`. */
    readonly requests: string[];
    close(): Promise<void>;
}

/**
 * A new cache in a temporary directory holding one tiny store path, unique per call (so no
 * other cache or earlier run has it), on a free port; `close` removes it.
 */
export async function startBinaryCache(options: { keyName: string; token?: string }): Promise<BinaryCache> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-bincache-"));
    const cacheDir = path.join(work, "cache");
    const key = await generateCacheKey(work, options.keyName);
    const nonce = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const expression = `derivation { name = "nix-cache-e2e-${nonce}"; builder = "/bin/sh"; args = [ "-c" "echo ${nonce} > $out" ]; system = builtins.currentSystem; }`;
    const storePath = await buildIntoCache(expression, cacheDir, key.secretFile);
    const cache: BinaryCache = { url: "", publicKey: key.publicKey, storePath, token: options.token, requests: [], close: async () => undefined };
    const server = await serveCacheDir(cacheDir, { token: () => cache.token });
    return Object.assign(cache, {
        url: server.url,
        requests: server.requests,
        close: async () => {
            await server.close();
            fs.rmSync(work, { recursive: true, force: true });
        },
    });
}
