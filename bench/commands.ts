import { spawn } from "child_process";
import { performance } from "perf_hooks";

/** A finished command: its output and its wall time, process start to exit. */
export interface Finished {
    readonly stdout: string;
    readonly stderr: string;
    readonly ms: number;
}

/**
 * Runs a command without blocking the event loop (the cache's HTTP server lives in this
 * process) and times it. Fails with the command's stderr when it exits non-zero.
 */
export function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env, cwd?: string): Promise<Finished> {
    return new Promise((resolve, reject) => {
        const start = performance.now();
        const child = spawn(command, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("error", reject);
        child.on("close", (code) => {
            const ms = performance.now() - start;
            if (code === 0) {
                resolve({ stdout, stderr, ms });
            } else {
                reject(new Error(`${command} ${args.join(" ")} exited ${String(code)}:\n${stderr.slice(-2000)}`));
            }
        });
    });
}
