import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { machineNixSettings } from "../../scripts/localhost/localNix";
import { run } from "./tools";

/**
 * A Nix configuration of its own for a test: the machine settings (no build users, no sandbox,
 * no substituter but the ones a command names), signatures required, and its own narinfo cache, so nothing on the
 * machine and nothing from another test changes what Nix decides.
 */
export interface IsolatedNix {
    /** The environment every Nix command of the test runs with. */
    readonly env: NodeJS.ProcessEnv;
    /** A scratch directory, removed by `cleanup`. */
    readonly dir: string;
    /** Runs a Nix program (`nix`, `nix-build`, `nix-store`) and returns its stdout. */
    run(program: string, args: readonly string[]): string;
    /** Builds a one-file store path with a name unique to this run; returns the path. */
    buildTinyPath(label: string): string;
    /** Removes the scratch directory. */
    cleanup(): void;
}

/** Sets up an isolated Nix configuration for one test file. */
export function isolatedNix(): IsolatedNix {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nix-isolated-"));
    const confDir = path.join(dir, "etc-nix");
    const home = path.join(dir, "home");
    fs.mkdirSync(confDir);
    fs.mkdirSync(home);
    fs.writeFileSync(path.join(confDir, "nix.conf"), `${machineNixSettings()}require-sigs = true\nexperimental-features = nix-command\n`);
    const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        NIX_CONF_DIR: confDir,
        NIX_USER_CONF_FILES: "",
        HOME: home,
        XDG_CACHE_HOME: path.join(home, ".cache"),
        XDG_CONFIG_HOME: path.join(home, ".config"),
    };
    const nix = {
        env,
        dir,
        run: (program: string, args: readonly string[]) => run(program, args, { env }),
        buildTinyPath(label: string): string {
            const name = `${label}-${process.pid}-${Date.now()}`;
            const expression = `derivation { name = "${name}"; builder = "/bin/sh"; args = [ "-c" "echo ${name} > $out" ]; system = builtins.currentSystem; }`;
            return nix.run("nix-build", ["--no-out-link", "-E", expression]).trim();
        },
        cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
    return nix;
}
