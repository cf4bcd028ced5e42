import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { run } from "./tools";

/**
 * The effective Nix configuration for a config dir, as real Nix reads it
 * (`NIX_CONF_DIR=DIR nix show-config`), with user config files kept out.
 */
export function nixShowConfig(confDir: string, extraEnv: NodeJS.ProcessEnv = {}): Record<string, string> {
    const emptyHome = fs.mkdtempSync(path.join(os.tmpdir(), "nix-home-"));
    const output = run("nix", ["--extra-experimental-features", "nix-command", "show-config"], {
        env: { ...process.env, NIX_CONF_DIR: confDir, NIX_USER_CONF_FILES: "", XDG_CONFIG_HOME: emptyHome, HOME: emptyHome, ...extraEnv },
    });
    fs.rmSync(emptyHome, { recursive: true, force: true });
    const settings: Record<string, string> = {};
    for (const line of output.split("\n")) {
        const match = /^(\S+) = ?(.*)$/.exec(line);
        if (match) {
            settings[match[1]] = match[2];
        }
    }
    return settings;
}

/** A setting's value as a list of words. */
export function words(value: string | undefined): string[] {
    return (value ?? "").split(/\s+/).filter((w) => w.length > 0);
}
