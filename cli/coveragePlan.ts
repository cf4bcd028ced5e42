import { GithubSpec, TrustedCacheSpec } from "../components/config/model";
import { buildEntries } from "../components/github/workflowJobs";
import { nixString } from "../components/render/nixString";
import { LookupResult, signatureNames, trustedSigners } from "./narinfo";

/** The system a workflow without `workflow.systems` builds on (`ubuntu-latest`). */
export const DEFAULT_SYSTEM = "x86_64-linux";

/** One flake attribute for one system. */
export interface CoverageTarget {
    readonly target: string;
    readonly system: string;
}

/**
 * What to evaluate: the `targets` given for each of the `systems` given; else what the stack's
 * workflow builds for the repository (or, unnamed, every repository): per system its
 * `targetsBySystem` or `targets`, `default` when none. Without `workflow.systems`, the runner's
 * system, x86_64-linux. Each target and system once, in order.
 */
export function coverageTargets(github: GithubSpec | undefined, given: { targets?: readonly string[]; systems?: readonly string[]; repository?: string }): CoverageTarget[] {
    const declaredSystems = github?.workflow.systems?.map((s) => s.system);
    const systems = given.systems ?? declaredSystems ?? [DEFAULT_SYSTEM];
    let pairs: CoverageTarget[];
    if (given.targets !== undefined) {
        pairs = systems.flatMap((system) => given.targets!.map((target) => ({ target, system })));
    } else {
        const repositories = (github?.repositories ?? []).filter((r) => given.repository === undefined || r.name === given.repository);
        if (given.repository !== undefined && repositories.length === 0) {
            throw new Error(`the stack has no repository ${JSON.stringify(given.repository)}; repositories: ${(github?.repositories ?? []).map((r) => r.name).join(", ") || "none"}`);
        }
        if (repositories.length === 0) {
            pairs = systems.map((system) => ({ target: "default", system }));
        } else {
            pairs = repositories.flatMap((repo) =>
                declaredSystems !== undefined
                    ? buildEntries(github!, repo).map(({ target, system }) => ({ target, system }))
                    : systems.flatMap((system) => (repo.targets.length === 0 ? ["default"] : repo.targets).map((target) => ({ target, system }))),
            );
            pairs = pairs.filter((p) => systems.includes(p.system));
        }
    }
    const seen = new Set<string>();
    return pairs.filter((p) => {
        const key = `${p.system} ${p.target}`;
        return !seen.has(key) && seen.add(key) !== undefined;
    });
}

/** The caches coverage asks, in the stack's order: cache.nixos.org (if trusted), the org's, the extra ones. */
export type CoverageCache = Pick<TrustedCacheSpec, "url" | "publicKeys">;

/**
 * The Nix expression whose JSON value is a target's outputs (`{ out = "/nix/store/..."; }`),
 * found as `nix build FLAKE#TARGET` finds it for `system`: `packages.SYSTEM.TARGET`, then
 * `legacyPackages.SYSTEM.TARGET`, then (for `default`) `defaultPackage.SYSTEM`; null when none.
 * Only evaluated, never built, so a foreign system costs nothing.
 */
export function outputsExpression(flakeRef: string, { target, system }: CoverageTarget): string {
    const attrPath = `[ ${target.split(".").map(nixString).join(" ")} ]`;
    return [
        `let flake = builtins.getFlake ${nixString(flakeRef)};`,
        "  get = set: path: builtins.foldl' (acc: name: if acc != null && builtins.isAttrs acc && acc ? ${name} then acc.${name} else null) set path;",
        `  system = ${nixString(system)};`,
        `  candidates = [ ([ "packages" system ] ++ ${attrPath}) ([ "legacyPackages" system ] ++ ${attrPath}) ]`,
        `    ++ (if ${nixString(target)} == "default" then [ [ "defaultPackage" system ] ] else [ ]);`,
        "  found = builtins.filter (d: d != null) (map (get flake) candidates);",
        "  drv = if found == [ ] then null else builtins.head found;",
        "in if drv == null then null",
        '  else builtins.listToAttrs (map (name: { inherit name; value = drv.${name}.outPath; }) (drv.outputs or [ "out" ]))',
    ].join("\n");
}

/** Where one output stands. */
export type CoverageStatus = "cached" | "missing" | "error";

/** One output of one target for one system, and what the caches said. */
export interface CoverageRow {
    readonly target: string;
    readonly system: string;
    /** The output's name (`out`, `dev`, …); undefined when the target could not be evaluated. */
    readonly output?: string;
    readonly storePath?: string;
    readonly status: CoverageStatus;
    /** The first cache (stack order) that has the path signed by one of its keys. */
    readonly cache?: string;
    /** Unpacked (NAR) size in bytes, from that cache. */
    readonly narSize?: number;
    /** Download size in bytes, when that cache says. */
    readonly fileSize?: number;
    /** Why not cached: the caches' answers (absent, unsigned, refused), or the evaluation error. */
    readonly notes: string[];
}

/**
 * Decides an output's row from each cache's answer: cached in the first cache that holds it
 * signed by one of that cache's own keys (a path another key signed is what Nix refuses);
 * missing when every cache answered and none has it so; error when a cache that could have it
 * did not answer.
 */
export function coverageRow(target: CoverageTarget, output: string, storePath: string, caches: readonly CoverageCache[], answers: readonly LookupResult[]): CoverageRow {
    const notes: string[] = [];
    let unanswered = false;
    for (const [index, answer] of answers.entries()) {
        const cache = caches[index];
        if (answer.kind === "present") {
            if (trustedSigners(answer.info, cache.publicKeys).length > 0) {
                return { ...target, output, storePath, status: "cached", cache: cache.url, narSize: answer.info.narSize, fileSize: answer.info.fileSize, notes: [] };
            }
            const names = signatureNames(answer.info);
            notes.push(`${cache.url} has it, but ${names.length === 0 ? "unsigned" : `signed only by ${names.join(", ")}`}, none of its keys`);
        } else if (answer.kind === "error") {
            unanswered = true;
            notes.push(answer.reason);
        }
    }
    return { ...target, output, storePath, status: unanswered ? "error" : "missing", notes };
}

/** A target that could not be evaluated (no such attribute, evaluation error). */
export function evaluationErrorRow(target: CoverageTarget, reason: string): CoverageRow {
    return { ...target, status: "error", notes: [reason] };
}

/** Bytes as Nix prints sizes: `512 B`, `1.5 KiB`, `20.0 MiB`. */
export function formatSize(bytes: number | undefined): string {
    if (bytes === undefined) {
        return "-";
    }
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit++;
    }
    return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** The table: package, system, output, the cache that has it (or MISSING / ERROR), its size; notes indented below. */
export function formatCoverageTable(rows: readonly CoverageRow[]): string {
    const header = ["PACKAGE", "SYSTEM", "OUTPUT", "CACHE", "SIZE"];
    const cells = rows.map((row) => [row.target, row.system, row.output ?? "-", row.status === "cached" ? row.cache! : row.status.toUpperCase(), formatSize(row.narSize)]);
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
    const line = (columns: string[]) => columns.map((c, i) => (i === columns.length - 1 ? c : c.padEnd(widths[i]))).join("  ");
    const lines = [line(header)];
    rows.forEach((row, index) => {
        lines.push(line(cells[index]));
        lines.push(...row.notes.map((note) => `    - ${note}`));
    });
    return `${lines.join("\n")}\n`;
}

/** One line: how many outputs are cached, and where, and how many are missing or unchecked. */
export function coverageSummary(rows: readonly CoverageRow[]): string {
    const cached = rows.filter((r) => r.status === "cached");
    const byCache = new Map<string, number>();
    for (const row of cached) {
        byCache.set(row.cache!, (byCache.get(row.cache!) ?? 0) + 1);
    }
    const where = [...byCache].map(([url, count]) => `${count} in ${url}`).join(", ");
    const missing = rows.filter((r) => r.status === "missing").length;
    const errors = rows.filter((r) => r.status === "error").length;
    const bytes = cached.reduce((sum, r) => sum + (r.narSize ?? 0), 0);
    return (
        `${cached.length} of ${rows.length} outputs cached${where === "" ? "" : ` (${where}; ${formatSize(bytes)})`}, ${missing} missing` +
        (errors > 0 ? `, ${errors} not checked (errors)` : "")
    );
}

/** Exit status for CI: 0 when every output is cached, 1 when any is missing, 3 when any could not be checked. */
export function coverageExitCode(rows: readonly CoverageRow[]): number {
    if (rows.some((r) => r.status === "error")) {
        return 3;
    }
    return rows.some((r) => r.status === "missing") ? 1 : 0;
}

