import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { nixSystem } from "../components/config/githubWorkflowFields";
import { loadStackModel } from "../components/config/load";
import { rawConfigFromStackFile } from "../components/config/sources";
import { flakeTarget } from "../components/formats/names";
import { trustedCaches } from "../components/config/trustedCaches";
import { parseCommandLine, patternProblems, runCommand, stackFile } from "./args";
import { lookupNarInfo, mapBounded, netrcAuthorization, parseNetrc } from "./cacheLookup";
import { evaluateOutputs } from "./flakeOutputs";
import { verifiedAddedCaches } from "./verify";
import {
    CoverageCache,
    coverageExitCode,
    coverageRow,
    CoverageRow,
    coverageSummary,
    CoverageTarget,
    coverageTargets,
    evaluationErrorRow,
    formatCoverageTable,
} from "./coveragePlan";

const USAGE =
    "npm run coverage -- --stack NAME --flake PATH [--repository NAME] [--targets A,B] [--systems S1,S2] [--netrc FILE] [--jobs N] [--json] [--stacks-dir DIR] [--mirror-key KEY [--mirror-previous-key KEY]]";

/** Options of {@link cacheCoverage}. */
export interface CoverageOptions {
    /** The flake (a directory or a flake reference), the repository's checkout. */
    readonly flake: string;
    /** Only this repository's targets (the stack's `github.repositories`). */
    readonly repository?: string;
    /** These targets instead of the stack's. */
    readonly targets?: readonly string[];
    /** These systems instead of the workflow's. */
    readonly systems?: readonly string[];
    /** The netrc with the private cache's token (as hosts have it). */
    readonly netrcFile?: string;
    /** Requests (and evaluations) at a time; evaluations are further held to the CPU count. */
    readonly jobs?: number;
    readonly stacksDir?: string;
    /** The S3 mirror's public key(s), from the stack's outputs, when the stack has a mirror (as for verify). */
    readonly mirrorKey?: string;
    readonly mirrorPreviousKey?: string;
    /** Called as evaluations and lookups finish. */
    readonly progress?: (done: { evaluated: number; targets: number; looked: number; lookups: number }) => void;
}

/**
 * Evaluates each target's outputs for each system and asks every cache the stack trusts for
 * each output's narinfo. Builds nothing and changes nothing; the stack file is read without
 * decrypting.
 */
export async function cacheCoverage(stack: string, options: CoverageOptions): Promise<CoverageRow[]> {
    const model = loadStackModel(rawConfigFromStackFile(stackFile(stack, options.stacksDir)), { mode: "render" });
    const targets = coverageTargets(model.github, { targets: options.targets, systems: options.systems, repository: options.repository });
    const added = verifiedAddedCaches(stack, model, options);
    const caches: CoverageCache[] = trustedCaches(model, added).caches.map(({ url, publicKeys }) => ({ url, publicKeys }));
    const netrc = parseNetrc(options.netrcFile === undefined ? "" : fs.readFileSync(options.netrcFile, "utf8"));
    const jobs = options.jobs ?? 8;
    const counts = { evaluated: 0, targets: targets.length, looked: 0, lookups: 0 };
    const tick = () => options.progress?.({ ...counts });
    const flakeRef = fs.existsSync(options.flake) ? path.resolve(options.flake) : options.flake;
    const evaluated = await mapBounded(targets, Math.min(jobs, os.cpus().length), (target) => evaluateOutputs(flakeRef, target), () => {
        counts.evaluated++;
        tick();
    });
    const outputs = evaluated.flatMap((result, index) =>
        "error" in result ? [] : Object.entries(result.outputs).map(([output, storePath]) => ({ target: targets[index], output, storePath })),
    );
    counts.lookups = outputs.length * caches.length;
    const answers = await mapBounded(outputs.flatMap((o) => caches.map((cache) => ({ ...o, cache }))), jobs, (item) => lookupNarInfo(item.cache.url, item.storePath, netrcAuthorization(item.cache.url, netrc)), () => {
        counts.looked++;
        tick();
    });
    const rows: CoverageRow[] = [];
    let next = 0;
    evaluated.forEach((result, index) => {
        const target: CoverageTarget = targets[index];
        if ("error" in result) {
            rows.push(evaluationErrorRow(target, result.error));
            return;
        }
        for (const [output, storePath] of Object.entries(result.outputs)) {
            rows.push(coverageRow(target, output, storePath, caches, answers.slice(next, next + caches.length)));
            next += caches.length;
        }
    });
    return rows;
}

/** The command line. */
export function coverageArgs(argv: readonly string[]) {
    const options = {
        stack: { type: "string" },
        flake: { type: "string" },
        repository: { type: "string" },
        targets: { type: "string" },
        systems: { type: "string" },
        netrc: { type: "string" },
        jobs: { type: "string" },
        json: { type: "boolean" },
        "stacks-dir": { type: "string" },
        "mirror-key": { type: "string" },
        "mirror-previous-key": { type: "string" },
    } as const;
    const args = parseCommandLine(argv, options, USAGE, ["stack", "flake"]);
    if ("error" in args) {
        return args;
    }
    const jobs = args.jobs === undefined ? undefined : Number(args.jobs);
    if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1 && jobs <= 64)) {
        return { error: `--jobs: expected a whole number from 1 to 64; got ${JSON.stringify(args.jobs)}\nUsage: ${USAGE}` };
    }
    const list = (value: string | undefined) => (value === undefined ? undefined : value.split(",").map((v) => v.trim()).filter((v) => v.length > 0));
    const targets = list(args.targets);
    const systems = list(args.systems);
    const bad = [...patternProblems("targets", targets, flakeTarget), ...patternProblems("systems", systems, nixSystem)];
    if (bad.length > 0) {
        return { error: `${bad.join("\n")}\nUsage: ${USAGE}` };
    }
    return { ...args, jobs, targets, systems };
}

/** Progress on stderr: rewritten in place on a terminal, else a line at most every few seconds. */
function progressReporter(stream: NodeJS.WriteStream): CoverageOptions["progress"] {
    let last = 0;
    return ({ evaluated, targets, looked, lookups }) => {
        const now = Date.now();
        const finished = evaluated === targets && looked === lookups;
        if (!finished && now - last < (stream.isTTY ? 100 : 5000)) {
            return;
        }
        last = now;
        const text = `coverage: evaluated ${evaluated}/${targets} targets, looked up ${looked}/${lookups} paths`;
        stream.write(stream.isTTY ? `\r${text}${finished ? "\n" : ""}` : `${text}\n`);
    };
}

if (require.main === module) {
    runCommand(coverageArgs, async (args) => {
        const rows = await cacheCoverage(args.stack, {
            flake: args.flake,
            repository: args.repository,
            targets: args.targets,
            systems: args.systems,
            netrcFile: args.netrc,
            jobs: args.jobs,
            stacksDir: args["stacks-dir"],
            mirrorKey: args["mirror-key"],
            mirrorPreviousKey: args["mirror-previous-key"],
            progress: progressReporter(process.stderr),
        });
        if (args.json) {
            process.stdout.write(`${JSON.stringify({ summary: coverageSummary(rows), exitCode: coverageExitCode(rows), outputs: rows }, null, 2)}\n`);
        } else {
            process.stdout.write(formatCoverageTable(rows));
            process.stdout.write(`${coverageSummary(rows)}\n`);
        }
        return coverageExitCode(rows);
    }, 3);
}
