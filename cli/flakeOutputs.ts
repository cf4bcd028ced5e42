import { execFile } from "child_process";
import { CoverageTarget, outputsExpression } from "./coveragePlan";

/** `nix` subcommands and flakes are experimental on the Nix versions the project supports. */
const NIX_FLAGS = ["--extra-experimental-features", "nix-command flakes"];

/**
 * A target's output paths for its system, by evaluation alone (`nix eval`, nothing is built or
 * fetched beyond the flake's inputs), or why they could not be had.
 */
export function evaluateOutputs(flakeRef: string, target: CoverageTarget): Promise<{ outputs: Record<string, string> } | { error: string }> {
    const args = [...NIX_FLAGS, "eval", "--json", "--impure", "--expr", outputsExpression(flakeRef, target)];
    return new Promise((resolve) => {
        execFile("nix", args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
            if (error) {
                const message = stderr.split("\n").map((l) => l.trim()).find((l) => l.startsWith("error:")) ?? (stderr.trim() || error.message);
                resolve({ error: `evaluation failed: ${message}` });
                return;
            }
            const value = JSON.parse(stdout) as Record<string, string> | null;
            resolve(value === null ? { error: `${flakeRef} has no package ${target.target} for ${target.system}` } : { outputs: value });
        });
    });
}
