import * as fs from "fs";
import * as path from "path";
import { parseShellFunctions, ShellFunction } from "./shellFunctions";

/**
 * The shell sources under `./sh`, read once. They are plain files, not TypeScript strings, so
 * they read (and lint) as the shell they are; TypeScript only prepends the declared values.
 * `prelude` starts every script; the `lib-*` files are the function library scripts pick from,
 * one concern each.
 */
export type ScriptPart =
    | "prelude"
    | LibraryPart
    | "conf-apply"
    | "conf-destroy"
    | "nixos-apply"
    | "nixos-destroy"
    | "netrc-apply"
    | "netrc-destroy"
    | "verify"
    | "detect";

const cache = new Map<ScriptPart, string>();

/** The text of `sh/NAME.sh`. */
export function scriptPart(name: ScriptPart): string {
    let text = cache.get(name);
    if (text === undefined) {
        text = fs.readFileSync(path.join(__dirname, "sh", `${name}.sh`), "utf8");
        cache.set(name, text);
    }
    return text;
}

let library: ShellFunction[] | undefined;

/**
 * The library files, by concern. Every top-level line of one belongs to a function (with the
 * comment above it): a script gets a function only when it, or a function it gets, calls it.
 * Shell variables are global, so a function that assigns any names them in the comment lines
 * right above it: `# sets: NAMES` (its results) and `# scratch: NAMES` (its working variables);
 * test/unit/hostShellGlobals.test.ts holds them to what the functions assign.
 */
export const LIBRARY_PARTS = [
    "lib-probe", // what kind of host this is
    "lib-nix-read", // the settings Nix has in effect
    "lib-conf", // where the Nix config lives, and nix-cache's lines in it
    "lib-files", // transactional files: atomic writes, snapshots, backups, restores
    "lib-lock", // one run at a time, and which stack owns the files
    "lib-daemon", // asking the running nix-daemon what it has in effect
    "lib-daemon-stale", // whether the running nix-daemon has read the files as they are
    "lib-restart", // restarting nix-daemon through its service manager
    "lib-nixos", // where NixOS reads its configuration, and what imports the glue
    "lib-nixos-retired", // NixOS values no longer declared, in effect until a rebuild
    "lib-state", // what a preview or up reads from a host to compare with the declaration
] as const;

/** One file of the shell function library. */
export type LibraryPart = (typeof LIBRARY_PARTS)[number];

/** The functions of the `sh/lib-*.sh` files, in `LIBRARY_PARTS` and file order. */
export function libraryFunctions(): readonly ShellFunction[] {
    library ??= LIBRARY_PARTS.flatMap((part) => parseShellFunctions(scriptPart(part), `sh/${part}.sh`));
    return library;
}
