import { MachineInfo } from "./machine";
import { BenchPart, PartResult, ResultRow } from "./part";

const HEADER = ["Part", "Case", "Measured", "Median", "Compared with", "Median", "Ratio", "Peak RSS", "Runs"];

function cells(row: ResultRow): string[] {
    return [row.part, row.case, row.subject, row.subjectValue, row.reference, row.referenceValue, row.ratio, row.memory, row.runs];
}

/** One row standing for a part that could not run, so the table says so. */
export function skippedRow(part: BenchPart, reason: string): ResultRow {
    return { part: part.name, case: "skipped", subject: reason, subjectValue: "—", reference: "—", referenceValue: "—", ratio: "—", memory: "—", runs: "0" };
}

/** The results as one Markdown table, padded so it also reads as plain text in a terminal. */
export function renderTable(rows: readonly ResultRow[]): string {
    const table = [HEADER, ...rows.map(cells)];
    const widths = HEADER.map((_, column) => Math.max(...table.map((line) => line[column].length)));
    const line = (values: string[]) => `| ${values.map((value, column) => value.padEnd(widths[column])).join(" | ")} |`;
    return [line(table[0]), line(widths.map((width) => "-".repeat(width))), ...table.slice(1).map(line)].join("\n");
}

/** What a run produced, for RESULTS.md. */
export interface RunRecord {
    readonly date: string;
    readonly totalSeconds: number;
    readonly load: { readonly start: string; readonly end: string };
    readonly machine: MachineInfo;
    readonly parts: readonly { readonly part: BenchPart; readonly result: PartResult }[];
    readonly rows: readonly ResultRow[];
}

export function renderResults(record: RunRecord): string {
    const m = record.machine;
    const minutes = `${Math.floor(record.totalSeconds / 60)} min ${Math.round(record.totalSeconds % 60)} s`;
    const lines = [
        "# Benchmark results",
        "",
        `Recorded by \`npm run bench\` on ${record.date} (all parts, ${minutes} in total). Rerunning it rewrites this file.`,
        "",
        "## Machine",
        "",
        `- CPU: ${m.cpu}, ${m.cores} cores`,
        `- Memory: ${m.memory}`,
        `- OS: ${m.os}`,
        `- Node ${m.node}; ${m.nix}`,
        `- Packages: ${Object.entries(m.packages).map(([name, version]) => `${name} ${version}`).join(", ")}`,
        `- Load average (1 min) at start / end: ${record.load.start} / ${record.load.end}`,
        "",
        "## Results",
        "",
        renderTable(record.rows),
        "",
        "## Findings",
        "",
        ...record.parts.flatMap(({ result }) => result.findings.map((finding) => `- ${finding}`)),
        "",
        "## How it was measured",
    ];
    for (const { part, result } of record.parts) {
        lines.push("", `### ${part.title}`, "", ...result.method.map((step) => `- ${step}`));
    }
    return `${lines.join("\n")}\n`;
}
