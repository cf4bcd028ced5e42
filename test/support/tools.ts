import { execFileSync } from "child_process";
import { findTool } from "../../cli/localStack";

export { findTool };

/**
 * The real programs a test file needs. Missing ones skip the file locally, with a message
 * naming them and how to get them; under CI (`CI=true`) they fail it, since the test command
 * installs them itself there.
 */
export function requireTools(names: readonly string[], howToGet: string): { skip: boolean; paths: Record<string, string> } {
    const paths: Record<string, string> = {};
    const missing: string[] = [];
    for (const name of names) {
        const found = findTool(name);
        if (found) {
            paths[name] = found;
        } else {
            missing.push(name);
        }
    }
    if (missing.length === 0) {
        return { skip: false, paths };
    }
    const message = `missing real tool(s) ${missing.join(", ")}: ${howToGet}`;
    if (process.env.CI) {
        throw new Error(message);
    }
    console.warn(`SKIPPED: ${message}`);
    return { skip: true, paths };
}

/** Runs a program and returns its stdout; throws with its stderr on failure. */
export function run(file: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}): string {
    return execFileSync(file, args, { encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], ...options });
}
