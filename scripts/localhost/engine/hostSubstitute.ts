import { BuilderHost } from "../builderHost";
import { deleteStorePath } from "../nixStore";

/**
 * `nix-store -r PATH` on the host, through the host's own Nix configuration; the path is
 * deleted again after, so the next check must substitute it anew.
 */
export async function substituteOnHost(host: BuilderHost, storePath: string): Promise<{ code: number; output: string }> {
    // Nix caches narinfo lookups per cache URL; every check must ask the cache itself.
    const result = await host.run("root", `nix-store -r ${storePath} --option narinfo-cache-negative-ttl 0 --option narinfo-cache-positive-ttl 0`);
    await deleteStorePath(storePath);
    return { code: result.code, output: result.stdout + result.stderr };
}
