import { spawnSync } from "child_process";
import * as fs from "fs";
import { findCommandPlugin, findTool } from "../cli/localStack";
import { BinaryCache, startBinaryCache } from "../scripts/localhost/binaryCache";
import { runTrial, Trial } from "./applyFleet";
import { findings, method, rows, SizeResult } from "./applyReport";
import { ensureNix } from "./ensureNix";
import { BenchOptions, BenchPart, PartResult } from "./part";

/**
 * Fleet sizes and trials per size. A trial is a few seconds at one host and about half a
 * minute at twenty (hosts started, three ups, hosts removed): the part stays within a few minutes.
 */
const FULL: readonly { hosts: number; trials: number }[] = [
    { hosts: 1, trials: 5 },
    { hosts: 5, trials: 5 },
    { hosts: 20, trials: 3 },
];
const QUICK: readonly { hosts: number; trials: number }[] = [
    { hosts: 1, trials: 1 },
    { hosts: 5, trials: 1 },
];

/** Why the part cannot run here, or undefined. Hosts run sshd, which needs root. */
function missing(options: BenchOptions): string | undefined {
    if (process.getuid?.() !== 0) {
        return "the builder hosts run sshd, which needs root";
    }
    if (!fs.existsSync("/usr/sbin/sshd") || findTool("ssh-keygen") === undefined) {
        return "OpenSSH is missing; run `sudo bash scripts/system-deps.sh`";
    }
    if (findTool("pulumi") === undefined || findCommandPlugin() === undefined) {
        return "the Pulumi CLI or the command provider is missing; run `bash scripts/toolchain.sh pulumi command`";
    }
    return ensureNix(options);
}

/** The engine's default parallelism, as the CLI states it (it depends on the cores). */
function defaultParallelism(): string {
    const help = spawnSync(findTool("pulumi")!, ["up", "--help"], { encoding: "utf8", env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" } });
    return /--parallel\b.*\(default (\d+)\)/.exec(help.stdout ?? "")?.[1] ?? "unknown";
}

/** Part 2: what `pulumi up` costs against real hosts. */
export const applyCost: BenchPart = {
    name: "apply",
    title: "Apply cost with the real engine on local builder hosts",
    async run(options: BenchOptions): Promise<PartResult> {
        const parallelism = defaultParallelism();
        const skipped = missing(options);
        if (skipped !== undefined) {
            return { rows: [], findings: [], method: method(parallelism), skipped };
        }
        let cache: BinaryCache | undefined;
        const sizes: SizeResult[] = [];
        try {
            // One cache for every trial: the hosts only need a private cache to trust. The engine
            // tests' stack config names it `engine`, so its key must be named after that.
            cache = await startBinaryCache({ keyName: "engine.cachix.org-1" });
            for (const size of options.quick ? QUICK : FULL) {
                const trials: Trial[] = [];
                for (let i = 0; i < size.trials; i++) {
                    trials.push(await runTrial(size.hosts, cache, { substituteCheck: i === 0, log: options.log }));
                }
                sizes.push({ hosts: size.hosts, trials });
            }
        } finally {
            await cache?.close();
        }
        return { rows: rows(sizes), findings: findings(sizes, parallelism), method: method(parallelism) };
    },
};
