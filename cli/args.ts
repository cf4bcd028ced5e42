import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "node:util";

/** The project root (where Pulumi.yaml is). */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** The options a command takes, in `node:util` parseArgs form (long names only). */
export type CommandOptions = Readonly<Record<string, { readonly type: "string" | "boolean" }>>;

/** What {@link parseCommandLine} found: each option's value, absent when not given. */
export type CommandValues<T extends CommandOptions> = { [K in keyof T]?: T[K]["type"] extends "boolean" ? boolean : string };

/**
 * Reads `argv` with `node:util` parseArgs, strictly: no positionals, no unknown options, a value
 * for every string option and none for a flag. A string option's value never starts with `-`
 * unless written `--name=VALUE`, so `--identity --stack x` is refused rather than read as an
 * identity file named `--stack`. Every name in `required` must be given a non-empty value.
 * Returns the values, or an error that ends with the usage line (exit 2).
 */
export function parseCommandLine<T extends CommandOptions, R extends keyof T & string = never>(
    argv: readonly string[],
    options: T,
    usage: string,
    required: readonly R[] = [],
): (CommandValues<T> & { [K in R]: string }) | { error: string } {
    let values: Record<string, string | boolean | undefined>;
    try {
        values = parseArgs({ args: [...argv], options: { ...options }, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
    } catch (error) {
        return { error: `${error instanceof Error ? error.message : String(error)}\nUsage: ${usage}` };
    }
    const empty = Object.keys(values).filter((name) => values[name] === "");
    if (empty.length > 0) {
        return { error: `Empty value for ${empty.map((name) => `--${name}`).join(", ")}.\nUsage: ${usage}` };
    }
    const missing = required.filter((name) => values[name] === undefined);
    if (missing.length > 0) {
        return { error: `Missing ${missing.map((name) => `--${name}`).join(", ")}.\nUsage: ${usage}` };
    }
    return values as CommandValues<T> & { [K in R]: string };
}

/** `stacks/Pulumi.NAME.yaml`; fails clearly when it does not exist. */
export function stackFile(stack: string, stacksDir = path.join(PROJECT_ROOT, "stacks")): string {
    const file = path.join(stacksDir, `Pulumi.${stack}.yaml`);
    if (!/^[A-Za-z0-9._-]+$/.test(stack) || !fs.existsSync(file)) {
        const known = fs.existsSync(stacksDir)
            ? fs.readdirSync(stacksDir).filter((f) => /^Pulumi\..+\.yaml$/.test(f)).map((f) => f.slice(7, -5))
            : [];
        throw new Error(`No stack file for stack ${JSON.stringify(stack)} at ${file}; known stacks: ${known.join(", ") || "none"}`);
    }
    return file;
}

/**
 * Runs a command with the process's arguments: a usage error is printed and exits 2; otherwise
 * `run`'s status is the exit status, and an error it throws is printed (its message only) and
 * exits `failureCode`.
 */
export function runCommand<A>(parse: (argv: readonly string[]) => A | { error: string }, run: (args: A) => Promise<number>, failureCode: number): void {
    const main = async (): Promise<number> => {
        const args = parse(process.argv.slice(2));
        if (typeof args === "object" && args !== null && "error" in args) {
            console.error(args.error);
            return 2;
        }
        try {
            return await run(args as A);
        } catch (error) {
            console.error(error instanceof Error ? error.message : String(error));
            return failureCode;
        }
    };
    void main().then((code) => {
        process.exitCode = code;
    });
}

/** One line per value of option `flag` that does not match `rule`'s pattern (say what was expected). */
export function patternProblems(flag: string, values: readonly string[] | undefined, rule: { pattern: RegExp; expected: string }): string[] {
    return (values ?? []).filter((v) => !rule.pattern.test(v)).map((v) => `--${flag}: ${JSON.stringify(v)} is not ${rule.expected}`);
}
