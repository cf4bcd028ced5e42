import * as fs from "fs";
import * as path from "path";
import { nixSystem } from "../components/config/githubWorkflowFields";
import { normaliseUrl } from "../components/formats/urls";
import { loadStackModel } from "../components/config/load";
import { StackModel } from "../components/config/model";
import { rawConfigFromStackFile } from "../components/config/sources";
import { flakeTarget } from "../components/formats/names";
import { trustedCaches } from "../components/config/trustedCaches";
import { parseCommandLine, patternProblems, runCommand, stackFile } from "./args";
import { DEFAULT_SYSTEM } from "./coveragePlan";
import { doctorScript, parseDoctorOutput } from "./doctorFacts";
import { diagnose, DoctorStep, formatDiagnosis } from "./doctorSteps";
import { evaluateOutputs } from "./flakeOutputs";
import { storePathHash } from "./narinfo";
import { describeSshFailure, runOverSsh } from "./sshClient";
import { sshTarget } from "./verify";

const USAGE =
    "npm run doctor -- --stack NAME --host NAME (--path STORE_PATH | --flake PATH --target NAME [--system SYSTEM] [--output NAME]) [--cache URL] [--identity SSH_KEY_FILE] [--json] [--stacks-dir DIR]";

/** Options of {@link doctorHost}. */
export interface DoctorOptions {
    readonly host: string;
    /** The store path to explain; or a flake target, evaluated here. */
    readonly storePath?: string;
    readonly flake?: string;
    readonly target?: string;
    /** The target's system (default x86_64-linux) and output (default out). */
    readonly system?: string;
    readonly output?: string;
    /** Private key file; without one, the SSH agent. */
    readonly identityFile?: string;
    readonly stacksDir?: string;
    /** Which of the stack's caches to check (its URL); the org's own unless given. */
    readonly cache?: string;
}

/**
 * The cache the doctor checks: the org's own, or the one of the stack's trusted caches
 * (cache.nixos.org, the org's, `extraCaches`) whose URL is `url`. Only the org's is private.
 */
export function doctorCache(model: Pick<StackModel, "cache" | "useCacheNixosOrg" | "extraCaches">, url?: string): { url: string; publicKeys: readonly string[]; private: boolean } {
    const own = { url: model.cache.url, publicKeys: model.cache.publicKeys, private: model.cache.private };
    if (url === undefined) {
        return own;
    }
    const { caches } = trustedCaches(model);
    const found = caches.find((c) => normaliseUrl(c.url) === normaliseUrl(url));
    if (found === undefined) {
        throw new Error(`--cache: ${JSON.stringify(url)} is not one of the stack's caches; expected one of: ${caches.map((c) => c.url).join(", ")}`);
    }
    return normaliseUrl(found.url) === normaliseUrl(own.url) ? own : { url: found.url, publicKeys: found.publicKeys, private: false };
}

/** The doctor's answer for one host and path. */
export interface Diagnosis {
    readonly host: string;
    readonly storePath: string;
    readonly steps: DoctorStep[];
}

/**
 * Asks the host, over the same SSH as verify, why it would or would not substitute the path
 * from the stack's cache: the guide's troubleshooting steps, in order. Changes nothing on the
 * host; the stack file is read without decrypting.
 */
export async function doctorHost(stack: string, options: DoctorOptions): Promise<Diagnosis> {
    const model = loadStackModel(rawConfigFromStackFile(stackFile(stack, options.stacksDir)), { mode: "render" });
    const host = model.hosts.find((h) => h.name === options.host);
    if (host === undefined) {
        throw new Error(`stack ${stack} has no host ${JSON.stringify(options.host)}; hosts: ${model.hosts.map((h) => h.name).join(", ") || "none"}`);
    }
    const cache = doctorCache(model, options.cache);
    const storePath = await pathToExplain(options);
    const result = await runOverSsh(sshTarget(host, options), doctorScript(cache.url, storePath));
    if (result.code === 255) {
        throw new Error(`host ${host.name}: ${describeSshFailure(result)}`);
    }
    const facts = parseDoctorOutput(result.stdout);
    if (facts === undefined) {
        throw new Error(`host ${host.name}: the doctor script did not finish (exit ${result.code}): ${result.stderr.trim().split("\n").pop() ?? ""}`);
    }
    const steps = diagnose(facts, { cacheUrl: cache.url, publicKeys: cache.publicKeys, storePath, host: host.name, private: cache.private });
    return { host: host.name, storePath, steps };
}

async function pathToExplain(options: DoctorOptions): Promise<string> {
    if (options.storePath !== undefined) {
        if (storePathHash(options.storePath) === undefined) {
            throw new Error(`--path: expected a store path /nix/store/HASH-NAME; got ${JSON.stringify(options.storePath)}`);
        }
        return options.storePath;
    }
    if (options.flake === undefined || options.target === undefined) {
        throw new Error(`give --path, or --flake with --target\nUsage: ${USAGE}`);
    }
    const flakeRef = fs.existsSync(options.flake) ? path.resolve(options.flake) : options.flake;
    const evaluated = await evaluateOutputs(flakeRef, { target: options.target, system: options.system ?? DEFAULT_SYSTEM });
    if ("error" in evaluated) {
        throw new Error(evaluated.error);
    }
    const output = options.output ?? "out";
    const storePath = evaluated.outputs[output];
    if (storePath === undefined) {
        throw new Error(`${options.target} has no output ${JSON.stringify(output)}; outputs: ${Object.keys(evaluated.outputs).join(", ")}`);
    }
    return storePath;
}

/** Exit status: 0 when every step is ok, 1 on any finding. */
export function doctorExitCode(diagnosis: Diagnosis): number {
    return diagnosis.steps.every((s) => s.status === "ok") ? 0 : 1;
}

/** The command line. */
export function doctorArgs(argv: readonly string[]) {
    const options = {
        stack: { type: "string" },
        host: { type: "string" },
        path: { type: "string" },
        flake: { type: "string" },
        target: { type: "string" },
        system: { type: "string" },
        output: { type: "string" },
        identity: { type: "string" },
        "stacks-dir": { type: "string" },
        cache: { type: "string" },
        json: { type: "boolean" },
    } as const;
    const args = parseCommandLine(argv, options, USAGE, ["stack", "host"]);
    if ("error" in args) {
        return args;
    }
    if ((args.path === undefined) === (args.flake === undefined && args.target === undefined)) {
        return { error: `Give either --path or --flake with --target.\nUsage: ${USAGE}` };
    }
    if (args.path === undefined && (args.flake === undefined || args.target === undefined)) {
        return { error: `--flake and --target go together.\nUsage: ${USAGE}` };
    }
    const one = (value: string | undefined) => (value === undefined ? undefined : [value]);
    const bad = [...patternProblems("target", one(args.target), flakeTarget), ...patternProblems("system", one(args.system), nixSystem)];
    if (bad.length > 0) {
        return { error: `${bad.join("\n")}\nUsage: ${USAGE}` };
    }
    return args;
}

if (require.main === module) {
    runCommand(doctorArgs, async (args) => {
        const diagnosis = await doctorHost(args.stack, {
            host: args.host,
            storePath: args.path,
            flake: args.flake,
            target: args.target,
            system: args.system,
            output: args.output,
            identityFile: args.identity,
            stacksDir: args["stacks-dir"],
            cache: args.cache,
        });
        process.stdout.write(args.json ? `${JSON.stringify(diagnosis, null, 2)}\n` : formatDiagnosis(diagnosis.host, diagnosis.storePath, diagnosis.steps));
        return doctorExitCode(diagnosis);
    }, 3);
}
