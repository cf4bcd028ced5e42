import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { PROJECT_NAME } from "../components/config/model";
import { nixCacheProgram } from "../program";
import { PROJECT_ROOT } from "./args";

/** The project's pinned tools (scripts/toolchain.sh), looked up before `PATH`. */
export const TOOLS_BIN = path.join(PROJECT_ROOT, ".tools", "bin");

/** The command provider version the SDK asks for (package.json pins @pulumi/command). */
export const COMMAND_PLUGIN_VERSION = "1.2.1";

/** Where a stack of this project runs, entirely on this machine. */
export interface LocalStackOptions {
    readonly stackName: string;
    /** The workspace: Pulumi.yaml and the stack's config file are written here. */
    readonly workDir: string;
    /** The file state backend's directory. */
    readonly stateDir: string;
    /** A plugin cache of this stack's own, so nothing outside these directories is used or changed. */
    readonly pulumiHome: string;
    /** Encrypts the stack's secrets (passphrase secrets provider). */
    readonly passphrase: string;
}

/**
 * The stack, run by the real Pulumi engine (the `pulumi` CLI) with the program inline: this
 * process runs {@link nixCacheProgram}, so no language host is needed, only the CLI and the
 * command provider plugin. State lives in a local file backend, secrets are encrypted with a
 * passphrase, and nothing is downloaded.
 */
export async function openLocalStack(options: LocalStackOptions): Promise<Stack> {
    for (const dir of [options.workDir, options.stateDir, options.pulumiHome]) {
        fs.mkdirSync(dir, { recursive: true });
    }
    const pulumi = requireTool("pulumi");
    await installCommandPlugin(pulumi, options.pulumiHome);
    return LocalWorkspace.createOrSelectStack(
        { stackName: options.stackName, projectName: PROJECT_NAME, program: async () => nixCacheProgram() },
        {
            workDir: options.workDir,
            pulumiHome: options.pulumiHome,
            pulumiCommand: await PulumiCommand.get({ root: path.dirname(path.dirname(pulumi)) }),
            envVars: engineEnv(options),
            projectSettings: { name: PROJECT_NAME, runtime: "nodejs", backend: { url: `file://${path.resolve(options.stateDir)}` } },
            secretsProvider: "passphrase",
        },
    );
}

/** Where a program of its own (a directory with its Pulumi.yaml) runs, entirely on this machine. */
export interface LocalProgramStackOptions extends Omit<LocalStackOptions, "workDir"> {
    /** The program's directory: its Pulumi.yaml, and the stack's config file once made. */
    readonly programDir: string;
    /** More variables for the engine and, through its language host, the program. */
    readonly env?: Readonly<Record<string, string>>;
}

/**
 * Like {@link openLocalStack}, for a program in a directory of its own, run by its language host
 * (the pinned tools' `pulumi-language-*`, next to the CLI) rather than in this process.
 */
export async function openLocalProgramStack(options: LocalProgramStackOptions): Promise<Stack> {
    for (const dir of [options.stateDir, options.pulumiHome]) {
        fs.mkdirSync(dir, { recursive: true });
    }
    const pulumi = requireTool("pulumi");
    await installCommandPlugin(pulumi, options.pulumiHome);
    return LocalWorkspace.createOrSelectStack(
        { stackName: options.stackName, workDir: options.programDir },
        {
            pulumiHome: options.pulumiHome,
            pulumiCommand: await PulumiCommand.get({ root: path.dirname(path.dirname(pulumi)) }),
            envVars: programStackEnv(options),
            secretsProvider: "passphrase",
        },
    );
}

/** The environment the engine runs a program stack with; the `pulumi` CLI by hand needs it too. */
export function programStackEnv(options: Omit<LocalProgramStackOptions, "programDir" | "stackName">): Record<string, string> {
    return { ...engineEnv(options), PULUMI_BACKEND_URL: `file://${path.resolve(options.stateDir)}`, ...options.env };
}

/** The engine's environment: offline, the pinned tools first, and only the plugin cache's plugins. */
function engineEnv(options: Pick<LocalStackOptions, "pulumiHome" | "passphrase">): Record<string, string> {
    return {
        PATH: `${TOOLS_BIN}${path.delimiter}${process.env.PATH ?? ""}`,
        PULUMI_HOME: options.pulumiHome,
        PULUMI_CONFIG_PASSPHRASE: options.passphrase,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        // Plugins come from PULUMI_HOME only: a stray plugin on PATH cannot stand in for them.
        PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
    };
}

/** `.tools/bin/NAME`, else NAME on `PATH`. */
export function findTool(name: string): string | undefined {
    const dirs = [TOOLS_BIN, ...(process.env.PATH ?? "").split(path.delimiter).filter((dir) => dir.length > 0)];
    return dirs.map((dir) => path.join(dir, name)).find((file) => fs.existsSync(file));
}

/**
 * The command provider: the pinned tool, else the one in the user's Pulumi plugin cache
 * (where scripts/toolchain.sh leaves an upstream provider it finds there in place of its own).
 */
export function findCommandPlugin(): string | undefined {
    const home = process.env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi");
    const cached = path.join(home, "plugins", `resource-command-v${COMMAND_PLUGIN_VERSION}`, "pulumi-resource-command");
    return findTool("pulumi-resource-command") ?? (fs.existsSync(cached) ? cached : undefined);
}

/** Like {@link findTool}, but throws naming scripts/toolchain.sh when the tool is missing. */
export function requireTool(name: string): string {
    const found = name === "pulumi-resource-command" ? findCommandPlugin() : findTool(name);
    if (found === undefined) {
        throw new Error(`${name} not found in ${TOOLS_BIN} or on PATH: run \`bash scripts/toolchain.sh pulumi command\``);
    }
    return found;
}

// The engine would otherwise try to download the provider, which cannot work offline.
async function installCommandPlugin(pulumi: string, pulumiHome: string): Promise<void> {
    const installed = path.join(pulumiHome, "plugins", `resource-command-v${COMMAND_PLUGIN_VERSION}`, "pulumi-resource-command");
    const plugin = requireTool("pulumi-resource-command");
    if (fs.existsSync(installed) && fs.readFileSync(installed).equals(fs.readFileSync(plugin))) {
        return;
    }
    const args = ["plugin", "install", "resource", "command", COMMAND_PLUGIN_VERSION, "--file", plugin, "--reinstall"];
    await promisify(execFile)(pulumi, args, { env: { ...process.env, PULUMI_HOME: pulumiHome, PULUMI_SKIP_UPDATE_CHECK: "true" } });
}
