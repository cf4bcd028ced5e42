/** What the runner and every benchmark part agree on, so a part is one more module. */

/** Options from the command line. */
export interface BenchOptions {
    /** A short smoke run: fewest sizes and repetitions (its figures are not recorded). */
    readonly quick: boolean;
    /** The repository root (commands and child processes run there). */
    readonly root: string;
    /** Progress lines go here, not into the results. */
    readonly log: (line: string) => void;
}

/**
 * One line of the results table: a subject measured side by side with what it is compared
 * with, in the same run, and their ratio.
 */
export interface ResultRow {
    readonly part: string;
    /** The configuration measured, e.g. `100 hosts × 10 repos (221 resources)`. */
    readonly case: string;
    /** What was timed, and its median. */
    readonly subject: string;
    readonly subjectValue: string;
    /** What it is compared with, and its median. */
    readonly reference: string;
    readonly referenceValue: string;
    /** subject ÷ reference, e.g. `2.7×`. */
    readonly ratio: string;
    /** Peak memory (subject / reference), or `—` where not measured. */
    readonly memory: string;
    /** Repetitions behind each median. */
    readonly runs: string;
}

/** What a part hands back. */
export interface PartResult {
    readonly rows: ResultRow[];
    /** Headline findings printed under the table (fits, comparisons with claims). */
    readonly findings: string[];
    /** How the figures were obtained: recorded in RESULTS.md, not printed. */
    readonly method: string[];
    /** Set when the part could not run here; the runner notes it in the table. */
    readonly skipped?: string;
}

/** A benchmark part. */
export interface BenchPart {
    /** The name `--only` selects. */
    readonly name: string;
    /** One line on what it measures. */
    readonly title: string;
    run(options: BenchOptions): Promise<PartResult>;
}
