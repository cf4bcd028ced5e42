import { BuilderHost } from "../../../scripts/localhost/builderHost";
import { snapshotDir } from "../../e2e/support/hostStack";

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
