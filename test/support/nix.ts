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

/**
 * The few functions of nixpkgs' `lib` that `cachix use` glue files call, in plain Nix (an
 * attribute set), so tests can evaluate NixOS modules without nixpkgs.
 */
export const NIX_LIB_STANDIN = `{
  hasSuffix = suffix: s: let n = builtins.stringLength s; k = builtins.stringLength suffix;
    in n >= k && builtins.substring (n - k) k s == suffix;
  filterAttrs = pred: set: builtins.listToAttrs (builtins.concatMap
    (name: if pred name set.\${name} then [ { inherit name; value = set.\${name}; } ] else [ ]) (builtins.attrNames set));
  attrNames = builtins.attrNames;
  mapAttrsToList = f: set: map (name: f name set.\${name}) (builtins.attrNames set);
}`;
