import { execFile } from "child_process";
import { promisify } from "util";
import { PROJECT_ROOT } from "./args";
import { findTool } from "./localStack";

/** Where the `pulumi` CLI reads the stack: the project's directory and environment unless given. */
export interface PulumiConfigOptions {
    /** The stack file, when it is not where the project keeps its stacks (`--stacks-dir`). */
    readonly configFile?: string;
    /** A directory with the project's Pulumi.yaml. */
    readonly cwd?: string;
    /** More variables for the CLI (its backend, passphrase, PULUMI_HOME). */
    readonly env?: Readonly<Record<string, string>>;
}

/**
 * The stdout of the `pulumi` CLI (the pinned one, else PATH's) run with `args`, as a user runs
 * it: the stack's backend and secrets provider from the environment. On failure, throws the
 * last line of what it printed on stderr (its reason), never its stdout.
 */
export async function runPulumi(args: readonly string[], options: PulumiConfigOptions = {}, timeoutMs = 120_000): Promise<string> {
    try {
        const { stdout } = await promisify(execFile)(findTool("pulumi") ?? "pulumi", [...args], {
            cwd: options.cwd ?? PROJECT_ROOT,
            env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true", ...options.env },
            maxBuffer: 256 << 20,
            timeout: timeoutMs,
        });
        return stdout;
    } catch (error) {
        const stderr = (error as { stderr?: string }).stderr ?? "";
        throw new Error(stderr.trim().split("\n").pop() || (error as Error).message.split("\n")[0]);
    }
}
