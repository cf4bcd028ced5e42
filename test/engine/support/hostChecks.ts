import { BuilderHost } from "../../../scripts/localhost/builderHost";
import { deleteStorePath } from "../../../scripts/localhost/nixStore";
import { snapshotDir } from "../../e2e/support/hostStack";

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

/** The host's Nix config dir, file by file: content and mode (what "restored" means). */
export function hostFiles(host: BuilderHost): Record<string, { content: string; mode: number }> {
    const files = snapshotDir(host.nixConfDir);
    return Object.fromEntries(Object.entries(files).map(([file, { content, mode }]) => [file, { content, mode }]));
}

/** Files whose content, mode or mtime differ between two snapshots of the host's config dir. */
export function touchedFiles(before: ReturnType<typeof snapshotDir>, after: ReturnType<typeof snapshotDir>): string[] {
    const names = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...names].filter((name) => JSON.stringify(before[name]) !== JSON.stringify(after[name])).sort();
}

export { snapshotDir };
