import { duration, ratio, sig3 } from "./format";
import { ResultRow } from "./part";
import { ChildResult } from "./programScaleProtocol";
import { fitLine, LineFit, median } from "./stats";

/**
 * Linearity is flagged below this R² (hosts and repositories cost differently, so points with
 * the same resource count scatter a little), or when the slope over the smaller sizes and the
 * full-range slope disagree by more than this: superlinear growth steepens the large sizes.
 */
const MIN_R2 = 0.95;
const MAX_SLOPE_DISAGREEMENT = 0.3;

/** One configuration's runs: program[i] and baseline[i] ran back to back. */
export interface Measured {
    readonly hosts: number;
    readonly repos: number;
    readonly custom: number;
    readonly component: number;
    readonly program: ChildResult[];
    readonly baseline: ChildResult[];
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

const construct = (runs: readonly ChildResult[]) => median(runs.map((r) => r.constructMs));
const peak = (runs: readonly ChildResult[]) => median(runs.map((r) => r.peakRssMb));
const growth = (runs: readonly ChildResult[]) => median(runs.map((r) => r.peakRssMb - r.rssBeforeMb));
/** Runs i of each kind ran back to back: the median of their ratios is the side-by-side figure. */
const pairedRatio = (m: Measured) => median(m.baseline.map((b, i) => m.program[i].constructMs / b.constructMs));

export function row(m: Measured): ResultRow {
    return {
        part: "program",
        case: `${plural(m.hosts, "host")} × ${plural(m.repos, "repo")} (${m.custom} custom + ${m.component} component)`,
        subject: "new CacheSetup",
        subjectValue: duration(construct(m.program)),
        reference: "plain resources",
        referenceValue: duration(construct(m.baseline)),
        ratio: ratio(pairedRatio(m)),
        memory: `${Math.round(peak(m.program))} / ${Math.round(peak(m.baseline))} MB`,
        runs: plural(m.baseline.length, "pair"),
    };
}

/** The row of a configuration whose runs did not finish. */
export function notMeasuredRow(hosts: number, repos: number, why: string): ResultRow {
    const blank = { referenceValue: "—", ratio: "—", memory: "—", runs: "0" };
    return { part: "program", case: `${plural(hosts, "host")} × ${plural(repos, "repo")}`, subject: "new CacheSetup", subjectValue: why, reference: "plain resources", ...blank };
}

/** `b = … ms per custom resource (a = …, R² = …)`, then whether it is linear. */
function describeFit(xs: number[], ys: number[]): string {
    const fit = fitLine(xs, ys);
    return `b = ${sig3(fit.slope)} ms per custom resource (a = ${sig3(fit.intercept)} ms, R² = ${fit.r2.toFixed(3)}): ${linearity(xs, ys, fit)}`;
}

/** Is time linear in resources? A high R² alone is weak with points clustered at two ends. */
function linearity(xs: number[], ys: number[], fit: LineFit): string {
    const cut = Math.max(...xs) / 4;
    const small = xs.flatMap((x, i) => (x <= cut ? [[x, ys[i]] as const] : []));
    if (new Set(small.map(([x]) => x)).size < 2) {
        return fit.r2 >= MIN_R2 ? "linear" : "NOT LINEAR (flagged)";
    }
    const smallSlope = fitLine(small.map(([x]) => x), small.map(([, y]) => y)).slope;
    const linear = fit.r2 >= MIN_R2 && Math.abs(smallSlope - fit.slope) / fit.slope <= MAX_SLOPE_DISAGREEMENT;
    return `${linear ? "linear" : "NOT LINEAR (flagged)"} (slope up to ${Math.round(cut)} resources: ${sig3(smallSlope)} ms)`;
}

export function findings(measured: Measured[]): string[] {
    const xs = measured.map((m) => m.custom);
    const programMs = measured.map((m) => construct(m.program));
    const baselineMs = measured.map((m) => construct(m.baseline));
    const programSlope = fitLine(xs, programMs).slope;
    const baselineSlope = fitLine(xs, baselineMs).slope;
    const programMem = fitLine(xs, measured.map((m) => growth(m.program)));
    const baselineMem = fitLine(xs, measured.map((m) => growth(m.baseline)));
    const largest = measured.reduce((a, b) => (b.custom > a.custom ? b : a));
    return [
        `program construction time ≈ a + b·resources: ${describeFit(xs, programMs)}`,
        `baseline (plain resources): ${describeFit(xs, baselineMs)}`,
        `per resource the program costs ${ratio(programSlope / baselineSlope)} the baseline ` +
            `(+${sig3(programSlope - baselineSlope)} ms each: components' own registrations and the renderers)`,
        `memory growth during construction: ${sig3(programMem.slope * 1024)} KiB per resource (program) vs ${sig3(baselineMem.slope * 1024)} KiB (baseline)`,
        `model validation at ${plural(largest.hosts, "host")} × ${plural(largest.repos, "repo")}: ${duration(median(largest.program.map((r) => r.validateMs)))} (not in the construction time)`,
    ];
}

export const METHOD = [
    "Program evaluation: each measurement runs in a fresh `node --expose-gc --import tsx` process with the wiring tests' Pulumi mocks (`pulumi.runtime.setMocks`).",
    "Timed: from the first constructor call until `pulumi.runtime.disconnect()` resolves, i.e. the runtime's RPC queue has drained: every registerResource (inputs resolved, so every renderer inside an apply has run), registerResourceOutputs and invoke has completed; the child then checks that no registration arrives afterwards.",
    "Not timed: process start, module loading (both kinds load the components and @pulumi/* packages) and model validation (reported separately). The heap is collected just before timing.",
    "Program: `new CacheSetup(...)` with a model validated in apply mode: the guide's public cache, N `nix` hosts (pinned host key, SSH key secret, one trusted user) and M repositories with repository-scoped secrets.",
    "Baseline: the same number of the same @pulumi classes per type token as the program's run registered (Commands, ActionsSecrets, RepositoryFiles, the GitHub provider), with small constant inputs, no parents, no components and no renderers.",
    "Resources in the fit are custom resources (the same count in both); the program also registers its components (CacheSetup, CacheIdentity, GithubCi, one NixHost per host), which is part of its cost.",
    "Runs per configuration: 5 pairs up to 50 custom resources, 3 up to 500, 2 for the 1000-host sizes (about 10 s per process), to fit the time budget.",
    "Figures are medians; the ratio is the median of program/baseline over runs made back to back (order alternating). Peak RSS is the process's maxRSS (modules included); memory growth is peak minus RSS just before construction.",
    `Linearity: flagged when R² < ${MIN_R2}, or when the slope fitted over the sizes up to a quarter of the largest differs from the full-range slope by more than ${MAX_SLOPE_DISAGREEMENT * 100}%.`,
    "A CPU profile of a baseline run shows where registration time goes under mocks: garbage collection, and the Pulumi SDK capturing a source-mapped stack trace for every resource and debuggable promise; program and baseline pay these alike.",
];
