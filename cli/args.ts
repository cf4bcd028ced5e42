import * as fs from "fs";
import * as path from "path";

/** The project root (where Pulumi.yaml is). */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

/**
 * Parses `--name value` pairs; every name in `required` must be given.
 * Returns the values, or an error with the usage line.
 */
export function parseArgs<K extends string>(
    argv: readonly string[],
    required: readonly K[],
    usage: string,
): (Record<K, string> & Partial<Record<string, string>>) | { error: string } {
    const values: Partial<Record<string, string>> = {};
    for (let i = 0; i < argv.length; i++) {
        const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
        if (!match) {
            return { error: `Unexpected argument ${JSON.stringify(argv[i])}.\nUsage: ${usage}` };
        }
        values[match[1]] = match[2] ?? argv[++i];
    }
    const missing = required.filter((name) => !values[name]);
    if (missing.length > 0) {
        return { error: `Missing ${missing.map((m) => `--${m}`).join(", ")}.\nUsage: ${usage}` };
    }
    return values as Record<K, string> & Partial<Record<string, string>>;
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
