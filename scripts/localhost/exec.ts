import { execFile } from "child_process";

/** What a program did. */
export interface ExecResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/**
 * Runs a program without blocking the event loop (the binary cache's HTTP server runs in the
 * test process and must keep answering while Nix downloads from it).
 */
export function exec(file: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
        const child = execFile(file, args, { env: options.env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
            if (error && typeof error.code !== "number") {
                reject(error);
                return;
            }
            resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
        });
        // A program that exits without reading its input must not fail the test process.
        child.stdin?.on("error", () => undefined);
        child.stdin?.end(options.input ?? "");
    });
}

/** Like {@link exec}, but throws with the program's output unless it succeeds. */
export async function execOk(file: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<string> {
    const result = await exec(file, args, options);
    if (result.code !== 0) {
        throw new Error(`${file} ${args.join(" ")} failed (${result.code}):\n${result.stderr}${result.stdout}`);
    }
    return result.stdout;
}
