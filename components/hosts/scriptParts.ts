import * as fs from "fs";
import * as path from "path";
import { parseShellFunctions, ShellFunction } from "./shellFunctions";

/**
 * The shell sources under `./sh`, read once. They are plain files, not TypeScript strings, so
 * they read (and lint) as the shell they are; TypeScript only prepends the declared values.
 * `prelude` starts every script; `lib`, `lib-daemon`, `lib-nixos` and `lib-state` are the function library
 * scripts pick from.
 */
export type ScriptPart =
    | "prelude"
    | "lib"
    | "lib-daemon"
    | "lib-nixos"
    | "lib-state"
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

const LIBRARY: readonly ScriptPart[] = ["lib", "lib-daemon", "lib-nixos", "lib-state"];

/** The functions of `sh/lib.sh`, `sh/lib-daemon.sh`, `sh/lib-nixos.sh` and `sh/lib-state.sh`, in file order. */
export function libraryFunctions(): readonly ShellFunction[] {
    library ??= LIBRARY.flatMap((part) => parseShellFunctions(scriptPart(part), `sh/${part}.sh`));
    return library;
}
