import { spawnSync } from "child_process";
import * as path from "path";
import { BenchOptions, BenchPart, PartResult, ResultRow } from "./part";
import { ChildRequest, ChildResult, RESULT_PREFIX } from "./programScaleProtocol";
import { findings, Measured, METHOD, notMeasuredRow, row } from "./programScaleReport";

const FULL = { hosts: [1, 10, 100, 1000], repos: [1, 10, 100] };
const QUICK = { hosts: [1, 100], repos: [1, 10] };
/** A child that takes longer than this is reported as not measured rather than stalling the run. */
const CHILD_TIMEOUT_MS = 180_000;

/** Runs one measurement in a fresh Node process (fresh runtime state, per-process peak RSS). */
function runChild(root: string, request: ChildRequest): ChildResult {
    const child = spawnSync(
        process.execPath,
        ["--expose-gc", "--import", "tsx", path.join(root, "bench", "programScaleChild.ts"), JSON.stringify(request)],
        { cwd: root, encoding: "utf8", timeout: CHILD_TIMEOUT_MS, maxBuffer: 16 * 2 ** 20 },
    );
    const line = child.stdout?.split("\n").find((l) => l.startsWith(RESULT_PREFIX));
    if (child.status !== 0 || line === undefined) {
        const why = child.error?.message ?? `exit ${String(child.status ?? child.signal)}`;
        throw new Error(`${request.kind} ${request.hosts}x${request.repos}: ${why}\n${(child.stderr ?? "").slice(-2000)}`);
    }
    return JSON.parse(line.slice(RESULT_PREFIX.length)) as ChildResult;
}

/**
 * Tiny configurations are over in milliseconds and noisy: more runs. A 1000-host run takes
 * ~10 s per process, so those get two pairs to keep the whole benchmark in its budget.
 */
function repetitions(customResources: number): number {
    return customResources <= 50 ? 5 : customResources <= 500 ? 3 : 2;
}

/** Repeated program and baseline runs of one configuration, made in pairs. */
function measure(options: BenchOptions, hosts: number, repos: number): Measured {
    const first = runChild(options.root, { kind: "program", hosts, repos });
    const reps = options.quick ? 1 : repetitions(first.custom);
    const program: ChildResult[] = [];
    const baseline: ChildResult[] = [];
    const baselineRequest: ChildRequest = { kind: "baseline", hosts, repos, customTypes: first.customTypes };
    for (let rep = 0; rep < reps; rep++) {
        const runProgram = () => (rep === 0 ? first : runChild(options.root, { kind: "program", hosts, repos }));
        const runBaseline = () => runChild(options.root, baselineRequest);
        // Which kind goes first alternates, so a slow drift in the machine favours neither.
        if (rep % 2 === 0) {
            program.push(runProgram());
            baseline.push(runBaseline());
        } else {
            baseline.push(runBaseline());
            program.push(runProgram());
        }
    }
    for (const run of [...program, ...baseline]) {
        if (JSON.stringify(sorted(run.customTypes)) !== JSON.stringify(sorted(first.customTypes))) {
            throw new Error(`${hosts}x${repos}: a ${run.kind} run registered other custom resources than the first program run`);
        }
    }
    return { hosts, repos, custom: first.custom, component: first.component, program, baseline };
}

function sorted(counts: Record<string, number>): [string, number][] {
    return Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
}

/** Part 1: program evaluation at scale under Pulumi mocks. */
export const programScale: BenchPart = {
    name: "program",
    title: "Program evaluation at scale under Pulumi mocks",
    async run(options: BenchOptions): Promise<PartResult> {
        const sizes = options.quick ? QUICK : FULL;
        const measured: Measured[] = [];
        const rows: ResultRow[] = [];
        for (const hosts of sizes.hosts) {
            for (const repos of sizes.repos) {
                try {
                    const m = measure(options, hosts, repos);
                    measured.push(m);
                    rows.push(row(m));
                    options.log(`program ${hosts}x${repos}: ${rows.at(-1)?.subjectValue} vs ${rows.at(-1)?.referenceValue}`);
                } catch (error) {
                    if (!/ETIMEDOUT|SIGTERM/.test(String(error))) {
                        throw error;
                    }
                    rows.push(notMeasuredRow(hosts, repos, `not measured: > ${CHILD_TIMEOUT_MS / 1000} s`));
                }
            }
        }
        return { rows, findings: measured.length >= 2 ? findings(measured) : [], method: METHOD };
    },
};
