/**
 * `npm run bench [-- --quick] [-- --only PART]`: runs the benchmark parts, prints one table,
 * and (for a full run) records it with the machine in bench/RESULTS.md.
 */
import * as fs from "fs";
import * as path from "path";
import { performance } from "perf_hooks";
import { applyCost } from "./applyCost";
import { githubScale } from "./githubScale";
import { loadAverage, machineInfo } from "./machine";
import { BenchOptions, BenchPart, PartResult, ResultRow } from "./part";
import { programScale } from "./programScale";
import { providerStart } from "./providerStart";
import { renderResults, renderTable, skippedRow } from "./report";
import { useLocalNix } from "../scripts/localhost/localNix";
import { parseCommandLine } from "../cli/args";
import { substitution } from "./substitution";

/** Every part, in table order. Another part is one more module here. */
const PARTS: readonly BenchPart[] = [programScale, applyCost, substitution, providerStart, githubScale];

const ROOT = path.resolve(__dirname, "..");
const RESULTS = path.join(ROOT, "bench", "RESULTS.md");

/** The command line: `--quick` (a smoke run) and `--only PART`. */
export function benchArgs(argv: readonly string[]): { quick: boolean; only?: string } | { error: string } {
    const names = PARTS.map((p) => p.name);
    const args = parseCommandLine(argv, { quick: { type: "boolean" }, only: { type: "string" } }, `npm run bench -- [--quick] [--only ${names.join("|")}]`);
    if ("error" in args) {
        return args;
    }
    if (args.only !== undefined && !names.includes(args.only)) {
        return { error: `--only ${args.only}: expected one of ${names.join(", ")}` };
    }
    return { quick: args.quick ?? false, only: args.only };
}

async function main(): Promise<void> {
    const args = benchArgs(process.argv.slice(2));
    if ("error" in args) {
        process.stderr.write(`bench: ${args.error}\n`);
        process.exit(2);
    }
    // Every Nix the benchmarks run reads the project's machine settings, never /etc/nix.
    useLocalNix();
    const started = performance.now();
    const loadStart = loadAverage();
    const machine = machineInfo(ROOT);
    const options: BenchOptions = { quick: args.quick, root: ROOT, log: (line) => process.stderr.write(`[bench] ${line}\n`) };
    const selected = PARTS.filter((p) => args.only === undefined || p.name === args.only);
    const parts: { part: BenchPart; result: PartResult }[] = [];
    const rows: ResultRow[] = [];
    for (const part of selected) {
        options.log(`${part.name}: ${part.title}${args.quick ? " (quick)" : ""}`);
        const result = await part.run(options);
        parts.push({ part, result });
        rows.push(...(result.skipped === undefined ? result.rows : [skippedRow(part, result.skipped)]));
    }
    const totalSeconds = (performance.now() - started) / 1000;
    process.stdout.write(`\n${renderTable(rows)}\n\n`);
    for (const { result } of parts) {
        result.findings.forEach((finding) => process.stdout.write(`- ${finding}\n`));
    }
    process.stdout.write(`\nTotal: ${totalSeconds.toFixed(0)} s\n`);
    // A smoke run or a single part must not replace the full record.
    if (args.quick || args.only !== undefined) {
        options.log("not recorded in bench/RESULTS.md (partial run); `npm run bench` records a full run");
        return;
    }
    const record = { date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC", totalSeconds, load: { start: loadStart, end: loadAverage() }, machine, parts, rows };
    fs.writeFileSync(RESULTS, renderResults(record));
    options.log(`recorded in ${path.relative(process.cwd(), RESULTS)}`);
}

if (require.main === module) {
    main().catch((error: unknown) => {
        process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exit(1);
    });
}
