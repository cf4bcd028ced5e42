import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigMap, Stack } from "@pulumi/pulumi/automation";
import { execFile } from "child_process";
import { promisify } from "util";
import { openLocalProgramStack, openLocalStack, programStackEnv, requireTool } from "../../../cli/localStack";
import { BuilderHost } from "../builderHost";
import { Transcript } from "./engineRun";

/** A stack of this project on its own workspace, state backend and plugin cache, in `root`. */
export interface EngineStack {
    readonly stack: Stack;
    readonly root: string;
    /** The workspace (stack config file), the state backend and the plugin cache. */
    readonly dirs: { readonly work: string; readonly state: string; readonly pulumiHome: string };
    /** Everything the engine printed or emitted so far. */
    readonly transcript: Transcript;
    /** Removes the stack and every file of it. */
    remove(): Promise<void>;
}

/** Passphrase of test stacks; a test value, not a secret worth keeping. */
const PASSPHRASE = "nix-cache engine tests";

/** A fresh stack in a temporary directory; concurrent test files never share one. */
export async function createEngineStack(stackName: string): Promise<EngineStack> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-engine-"));
    const dirs = { work: path.join(root, "work"), state: path.join(root, "state"), pulumiHome: path.join(root, "pulumi-home") };
    const stack = await openLocalStack({ stackName, workDir: dirs.work, stateDir: dirs.state, pulumiHome: dirs.pulumiHome, passphrase: PASSPHRASE });
    return engineStack(stack, stackName, root, dirs);
}

/** A stack of a program of its own, in `dirs.work`. */
export interface ProgramStack extends EngineStack {
    /** Runs the pinned `pulumi` CLI in the program's directory, as the engine runs (e.g. `package add`); its stdout. */
    cli(args: readonly string[]): Promise<string>;
}

/**
 * A fresh stack of a program of its own, run by its language host: `fill` lays the program out
 * in `dirs.work` (its Pulumi.yaml, sources and node_modules), `env` reaches the program.
 */
export async function createProgramStack(
    stackName: string,
    fill: (programDir: string) => void,
    env: Readonly<Record<string, string>> = {},
): Promise<ProgramStack> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-program-"));
    const dirs = { work: path.join(root, "program"), state: path.join(root, "state"), pulumiHome: path.join(root, "pulumi-home") };
    fs.mkdirSync(dirs.work);
    try {
        fill(dirs.work);
        const options = { stateDir: dirs.state, pulumiHome: dirs.pulumiHome, passphrase: PASSPHRASE, env };
        const stack = await openLocalProgramStack({ ...options, stackName, programDir: dirs.work });
        const cli = async (args: readonly string[]) => {
            const environment = { ...process.env, ...programStackEnv(options), PULUMI_STACK: stackName };
            return (await promisify(execFile)(requireTool("pulumi"), [...args], { cwd: dirs.work, env: environment })).stdout;
        };
        return { ...engineStack(stack, stackName, root, dirs), cli };
    } catch (error) {
        fs.rmSync(root, { recursive: true, force: true });
        throw error;
    }
}

function engineStack(stack: Stack, stackName: string, root: string, dirs: EngineStack["dirs"]): EngineStack {
    return {
        stack,
        root,
        dirs,
        transcript: [],
        remove: async () => {
            await stack.workspace.removeStack(stackName, { force: true }).catch(() => undefined);
            fs.rmSync(root, { recursive: true, force: true });
        },
    };
}

/** The environment the `pulumi` CLI reads `engine`'s stack with (its backend, passphrase and plugins). */
export function engineCliEnv(engine: Pick<EngineStack, "dirs">): Record<string, string> {
    return programStackEnv({ stateDir: engine.dirs.state, pulumiHome: engine.dirs.pulumiHome, passphrase: PASSPHRASE });
}

/** A cache as the stack declares it. */
export interface DeclaredCache {
    readonly url: string;
    readonly publicKey: string;
}

/** The hosts-only stack config of the engine tests (no GitHub, no mirror: their plugins are not here). */
export interface EngineConfig {
    /**
     * The primary cache: private, so hosts get a netrc with the token. With `apiUrl` (a local
     * Cachix), the program reads it from there and the URL and key may be left out; without, the
     * stack is offline.
     */
    readonly cache: Partial<DeclaredCache> & { readonly private: boolean; readonly apiUrl?: string; readonly name?: string };
    readonly extraCaches?: readonly DeclaredCache[];
    readonly hosts: readonly Record<string, unknown>[];
    readonly cachixAuthToken?: string;
    /** The hosts' read-only token. */
    readonly cachixReadToken?: string;
    /** Secret config keys holding SSH private keys, by key name. */
    readonly privateKeys: Readonly<Record<string, string>>;
}

/** The config map `stack.setAllConfig` takes: structured values as JSON text, secrets marked. */
export function engineConfig(config: EngineConfig): ConfigMap {
    const map: ConfigMap = {
        "nix-cache:cache": { value: JSON.stringify(cacheEntry(config.cache)) },
        // No network here: only the local caches.
        "nix-cache:useCacheNixosOrg": { value: "false" },
        "nix-cache:extraCaches": { value: JSON.stringify((config.extraCaches ?? []).map((c) => ({ url: c.url, publicKeys: [c.publicKey] }))) },
        "nix-cache:hosts": { value: JSON.stringify(config.hosts) },
    };
    for (const key of ["cachixAuthToken", "cachixReadToken"] as const) {
        if (config[key] !== undefined) {
            map[`nix-cache:${key}`] = { value: config[key], secret: true };
        }
    }
    for (const [key, value] of Object.entries(config.privateKeys)) {
        map[`nix-cache:${key}`] = { value, secret: true };
    }
    return map;
}

/** The `cache` section: what is given, and offline unless a Cachix is named. */
function cacheEntry(cache: EngineConfig["cache"]): Record<string, unknown> {
    return {
        name: cache.name ?? "engine",
        ...(cache.url === undefined ? {} : { url: cache.url }),
        ...(cache.publicKey === undefined ? {} : { publicKeys: [cache.publicKey] }),
        private: cache.private,
        ...(cache.apiUrl === undefined ? { offline: true } : { apiUrl: cache.apiUrl }),
    };
}

/** A `hosts[]` entry for a builder host: kind nix, its pinned key, its config dir. */
export function hostEntry(name: string, host: BuilderHost, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { name, kind: "nix", address: "127.0.0.1", port: host.port, hostKey: host.hostKey, nixConfDir: host.nixConfDir, ...extra };
}
