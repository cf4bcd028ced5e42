import type { z } from "zod";
import { PROJECT_NAME } from "./model";
import { describeKey } from "./redact";

/** One thing wrong with the stack configuration. */
export interface ConfigProblem {
    /** The config key path, e.g. `nix-cache:hosts[0].address`. */
    readonly path: string;
    /** What is wrong and what was expected; never contains a secret's value. */
    readonly message: string;
}

/** Thrown when the stack configuration is invalid; carries every problem found in one pass. */
export class ConfigValidationError extends Error {
    /** Every problem found, in the order the configuration was read. */
    readonly problems: readonly ConfigProblem[];

    constructor(problems: readonly ConfigProblem[]) {
        super(formatProblems(problems));
        this.name = "ConfigValidationError";
        this.problems = problems;
    }
}

/** Formats problems as the multi-line message users see. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
    const noun = problems.length === 1 ? "problem" : "problems";
    const lines = problems.map((p) => `  - ${p.path}: ${p.message}`);
    return [`Invalid stack configuration (${problems.length} ${noun}):`, ...lines].join("\n");
}

/**
 * The problems of a failed schema parse. Every message was written by the schema's own error
 * functions; the path is spelled as users write it: `nix-cache:hosts[0].hostKey`.
 */
export function problemsOfIssues(issues: readonly Pick<z.core.$ZodIssue, "path" | "message">[]): ConfigProblem[] {
    return issues.map((issue) => ({ path: configPath(issue.path), message: issue.message }));
}

/** `["hosts", 0, "hostKey"]` as `nix-cache:hosts[0].hostKey`; secret-looking keys are hidden. */
export function configPath(segments: readonly PropertyKey[]): string {
    const [first, ...rest] = segments;
    let path = `${PROJECT_NAME}:${describeKey(String(first ?? ""))}`;
    for (const segment of rest) {
        path += typeof segment === "number" ? `[${segment}]` : `.${describeKey(String(segment))}`;
    }
    return path;
}
