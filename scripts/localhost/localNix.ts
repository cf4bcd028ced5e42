import * as fs from "fs";
import * as path from "path";

/**
 * The Nix config dir of every Nix the harness runs on this machine (`NIX_CONF_DIR`): its
 * nix.conf holds the machine settings the project needs (no build users, no sandbox, no
 * substituter beyond the local ones), so nothing depends on whether, or how, this machine's
 * /etc/nix/nix.conf exists.
 */
export const LOCAL_NIX_CONF_DIR = path.join(__dirname, "nix-conf");

/** The machine settings, as nix.conf text; a local builder host's own nix.conf starts with it. */
export function machineNixSettings(): string {
    return fs.readFileSync(path.join(LOCAL_NIX_CONF_DIR, "nix.conf"), "utf8");
}

/** `base` with Nix pointed at the machine settings and at no user config file. */
export function localNixEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    return { ...base, NIX_CONF_DIR: LOCAL_NIX_CONF_DIR, NIX_USER_CONF_FILES: "" };
}

/**
 * Points every Nix this process starts from now on (directly or through a child) at the
 * machine settings; a command that sets its own `NIX_CONF_DIR` keeps it.
 */
export function useLocalNix(): void {
    Object.assign(process.env, localNixEnv({}));
}
