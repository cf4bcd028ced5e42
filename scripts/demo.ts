import * as fs from "fs";
import * as path from "path";
import { demoDestroy } from "./demo/destroy";
import { demoLayout, DemoLayout, shown } from "./demo/layout";
import { LOCAL_NIX_CONF_DIR, useLocalNix } from "./localhost/localNix";
import { parseCommandLine } from "../cli/args";
import { startDemoSession } from "./demo/session";
import { demoUp, Say } from "./demo/up";

const USAGE = "npm run demo [-- --destroy] [--dir DIR] [--stacks-dir DIR]";

/** The command line: `--destroy`, and where the demo keeps its files and finds its stack file. */
export function demoArgs(argv: readonly string[]): { destroy: boolean; dir?: string; stacksDir?: string } | { error: string } {
    const args = parseCommandLine(argv, { destroy: { type: "boolean" }, dir: { type: "string" }, "stacks-dir": { type: "string" } }, USAGE);
    if ("error" in args) {
        return args;
    }
    const resolved = (dir: string | undefined) => (dir === undefined ? undefined : path.resolve(dir));
    return { destroy: args.destroy ?? false, dir: resolved(args.dir), stacksDir: resolved(args["stacks-dir"]) };
}

/**
 * The main job on a local default: the `local` stack (stacks/Pulumi.local.yaml) applied by the
 * real Pulumi engine to a throwaway builder host, with a local binary cache and local state.
 * `--destroy` undoes it and removes the demo's directory (`.demo/`).
 */
async function main(argv: readonly string[], say: Say): Promise<number> {
    const started = Date.now();
    const args = demoArgs(argv);
    if ("error" in args) {
        console.error(args.error);
        return 2;
    }
    const { destroy } = args;
    const problem = machineProblem();
    if (problem !== undefined) {
        console.error(`nix-cache demo: ${problem}`);
        return 1;
    }
    // Every Nix the demo runs here reads the project's machine settings, never /etc/nix.
    useLocalNix();
    const layout = demoLayout(args.dir);
    if (destroy && !fs.existsSync(layout.state)) {
        say(`Nothing to tear down: there is no ${shown(layout.root)}/ from an earlier \`npm run demo\`.`);
        return 0;
    }
    say(destroy ? "nix-cache demo: tearing down the local stack" : "nix-cache demo: the local stack on a throwaway builder host and a local binary cache");
    say(`This machine: Nix runs with the project's settings (${path.relative(process.cwd(), LOCAL_NIX_CONF_DIR)}/nix.conf) and its store /nix/store; /etc/nix is neither read nor changed.`);
    const session = await startDemoSession(layout, { withCache: !destroy, stacksDir: args.stacksDir });
    // sshd would outlive an interrupted run: stop it (and the cache) first.
    const stopOnSignal = () => void session.stop().finally(() => process.exit(130));
    process.once("SIGINT", stopOnSignal);
    process.once("SIGTERM", stopOnSignal);
    try {
        await (destroy ? demoDestroy(session, layout, say) : demoUp(session, layout, say));
    } finally {
        process.off("SIGINT", stopOnSignal);
        process.off("SIGTERM", stopOnSignal);
        await session.stop();
    }
    if (destroy) {
        removeDemoDir(layout, say);
    }
    say(`Finished in ${Math.round((Date.now() - started) / 1000)}s (after setup).`);
    return 0;
}

// sshd needs root, and the host runs this machine's Nix.
function machineProblem(): string | undefined {
    if (process.getuid?.() !== 0) {
        return "the throwaway builder host runs sshd, which needs root: run as root";
    }
    const onPath = (name: string) => (process.env.PATH ?? "").split(path.delimiter).some((dir) => dir !== "" && fs.existsSync(path.join(dir, name)));
    const missing = [...(fs.existsSync("/usr/sbin/sshd") ? [] : ["/usr/sbin/sshd"]), ...["nix-build", "nix-store", "ssh"].filter((name) => !onPath(name))];
    return missing.length > 0 ? `missing ${missing.join(", ")}: run \`bash scripts/system-deps.sh\` as root` : undefined;
}

function removeDemoDir(layout: DemoLayout, say: Say): void {
    fs.rmSync(layout.root, { recursive: true, force: true });
    say(`Removed ${shown(layout.root)}/: the next \`npm run demo\` starts from scratch.`);
}

if (require.main === module) {
    main(process.argv.slice(2), (text) => console.log(text)).then(
        (code) => (process.exitCode = code),
        (error: unknown) => {
            // Engine failures carry the CLI's whole output, already printed above: keep the message short.
            const message = error instanceof Error ? error.message : String(error);
            console.error(`\nnix-cache demo failed: ${message.split("\n").slice(0, 40).join("\n")}`);
            process.exitCode = 1;
        },
    );
}
