/**
 * The one error a component throws for wrong arguments: a message for people and, for the
 * component provider, each problem at its argument's property path (`hosts[0].hostKey`), so
 * YAML, Python and Go programs see it on the property they wrote.
 */
import * as pulumi from "@pulumi/pulumi";
import { describeKey } from "./redact";

/** One wrong argument: its property path (empty for the arguments as a whole) and what is wrong. */
export interface ArgsProblem {
    readonly path: string;
    readonly message: string;
}

/**
 * Wrong arguments of a component. A `pulumi.RunError`, as every argument error of the components
 * is: a program then ends with the message alone, without the SDK's stack dump of the error object.
 */
export class ArgsError extends pulumi.RunError {
    /** Every wrong argument, in the order they were found. */
    readonly problems: readonly ArgsProblem[];

    /** `message` as users read it; without one, the component's name and each problem as a line. */
    constructor(component: string, name: string, problems: readonly ArgsProblem[], message?: string) {
        super(message === undefined ? problemList(component, name, problems) : `${component} ${name}: ${message}`);
        this.name = "ArgsError";
        this.problems = problems;
    }

    /** Whether `error` is an {@link ArgsError}, also one of another copy of this module. */
    static isInstance(error: unknown): error is ArgsError {
        return error instanceof ArgsError || (error instanceof Error && error.name === "ArgsError" && Array.isArray((error as ArgsError).problems));
    }
}

/** `Component name: invalid arguments (N problems):` and a `path: message` line per problem. */
function problemList(component: string, name: string, problems: readonly ArgsProblem[]): string {
    const noun = problems.length === 1 ? "problem" : "problems";
    const lines = problems.map((p) => `  - ${p.path === "" ? "" : `${p.path}: `}${p.message}`);
    return [`${component} ${name}: invalid arguments (${problems.length} ${noun}):`, ...lines].join("\n");
}

/** `["hosts", 0, "hostKey"]` as `hosts[0].hostKey`, a Pulumi property path; secret-looking keys are hidden. */
export function argsPath(segments: readonly PropertyKey[]): string {
    return segments
        .map((segment, index) => (typeof segment === "number" ? `[${segment}]` : `${index === 0 ? "" : "."}${describeKey(String(segment))}`))
        .join("");
}
