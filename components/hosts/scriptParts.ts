import * as fs from "fs";
import * as path from "path";

/**
 * The shell sources under `./sh`, read once. They are plain files, not TypeScript strings, so
 * they read (and lint) as the shell they are; TypeScript only prepends the declared values.
 */
export type ScriptPart =
    | "lib"
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
