/**
 * Checks the globals of the host scripts' shell library against the header lines that declare
 * them. POSIX sh has no local variables, so every variable a function assigns is a global; the
 * library says which, directly above each function that assigns any:
 *
 *     # sets: nc_conf_dir nc_backup     its results, read after the call
 *     # scratch: nc_x nc_list           its working variables, meaningless after the call
 *
 * The rules: a function assigns exactly the names it declares; each global belongs to one library
 * file (only that file's functions assign it, so one name says one thing); a function's result is
 * never another's scratch; and no function (or script) has a working variable that a function it
 * calls, directly or not, assigns.
 */
import { namesUsed, ShellFunction } from "../../components/hosts/shellFunctions";

/** A library function with the file it is in. */
export interface LibraryFunction extends ShellFunction {
    readonly file: string;
}

/** What a function declares in its header lines. */
export interface GlobalsHeader {
    readonly sets: readonly string[];
    readonly scratch: readonly string[];
}

const HEADER = /^# (sets|scratch): (.*)$/;
const NAME = "[a-z_][a-z0-9_]*";

/** The `# sets:` and `# scratch:` lines of a function's comment. */
export function globalsHeader(text: string): GlobalsHeader {
    const header: { sets: string[]; scratch: string[] } = { sets: [], scratch: [] };
    for (const line of text.split("\n")) {
        const match = HEADER.exec(line);
        if (match !== null) {
            header[match[1] as "sets" | "scratch"].push(...match[2].trim().split(/\s+/));
        }
    }
    return header;
}

/**
 * The shell text with comments dropped and the inside of every quoted string blanked (a
 * `$(...)` inside double quotes included: no library function assigns in one), so only code is
 * searched for assignments. Backslash escapes outside single quotes are honoured.
 */
export function codeOnly(text: string): string {
    let out = "";
    let quote: "'" | '"' | undefined;
    let wordStart = true;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (quote === undefined && c === "#" && wordStart) {
            while (i < text.length && text[i] !== "\n") i++;
            out += "\n";
            wordStart = true;
            continue;
        }
        if (c === "\\" && quote !== "'") {
            out += quote === undefined ? text.slice(i, i + 2) : "  ";
            i++;
            wordStart = false;
            continue;
        }
        if (quote === undefined && (c === "'" || c === '"')) {
            quote = c;
            out += c;
        } else if (c === quote) {
            quote = undefined;
            out += c;
        } else {
            out += quote === undefined || c === "\n" ? c : " ";
        }
        wordStart = quote === undefined && /[\s;&|(){}]/.test(c);
    }
    return out;
}

/** The lowercase variables shell text assigns: `name=`, `for name in`, `read name...` (`_` left out). */
export function assignedNames(text: string): Set<string> {
    const code = codeOnly(text);
    const names = new Set<string>();
    // `awk -v name=value` sets an awk variable, not a shell one.
    for (const match of code.matchAll(new RegExp(`(^|[\\s;&|(){}!])(-v\\s+)?(${NAME})=`, "gm"))) {
        if (match[2] === undefined) names.add(match[3]);
    }
    for (const match of code.matchAll(new RegExp(`\\bfor\\s+(${NAME})\\s+in\\b`, "g"))) names.add(match[1]);
    for (const match of code.matchAll(/\bread\s+((?:-\w+\s+)*)([^;&|<>\n]*)/g)) {
        for (const word of match[2].trim().split(/\s+/)) {
            if (new RegExp(`^${NAME}$`).test(word)) names.add(word);
        }
    }
    names.delete("_");
    return names;
}

/** The library functions `roots` call, directly or through one another (not themselves). */
function callees(roots: readonly string[], library: readonly LibraryFunction[]): LibraryFunction[] {
    const byName = new Map(library.map((fn) => [fn.name, fn]));
    const seen = new Set<string>();
    const pending = roots.map((text) => namesUsed(codeOnly(text)));
    for (let names = pending.pop(); names !== undefined; names = pending.pop()) {
        for (const name of names) {
            const fn = byName.get(name);
            if (fn !== undefined && !seen.has(name)) {
                seen.add(name);
                pending.push(namesUsed(codeOnly(fn.text)));
            }
        }
    }
    return library.filter((fn) => seen.has(fn.name));
}

/** Every broken rule of the library's globals (see the module comment), as a sentence. */
export function globalsProblems(library: readonly LibraryFunction[]): string[] {
    const problems: string[] = [];
    const headers = new Map(library.map((fn) => [fn.name, globalsHeader(fn.text)]));
    const fileOf = new Map<string, Set<string>>();
    const resultOf = new Map<string, string>();
    for (const fn of library) {
        const { sets, scratch } = headers.get(fn.name)!;
        const declared = new Set([...sets, ...scratch]);
        const assigned = assignedNames(fn.text.slice(fn.text.indexOf(`${fn.name}()`)));
        for (const name of assigned) {
            if (!declared.has(name)) problems.push(`${fn.name} (${fn.file}) assigns ${name} without declaring it in \`# sets:\` or \`# scratch:\``);
        }
        for (const name of declared) {
            if (!assigned.has(name)) problems.push(`${fn.name} (${fn.file}) declares ${name} but never assigns it`);
            if (!fileOf.has(name)) fileOf.set(name, new Set());
            fileOf.get(name)!.add(fn.file);
        }
        for (const name of sets) {
            if (scratch.includes(name)) problems.push(`${fn.name} (${fn.file}) declares ${name} both as a result and as scratch`);
            resultOf.set(name, fn.name);
        }
    }
    for (const [name, files] of fileOf) {
        if (files.size > 1) problems.push(`${name} is assigned in ${[...files].sort().join(" and ")}: a global belongs to one file, so it says one thing`);
    }
    for (const fn of library) {
        for (const name of headers.get(fn.name)!.scratch) {
            const owner = resultOf.get(name);
            if (owner !== undefined) problems.push(`${fn.name} uses ${name} as scratch, but it is a result of ${owner}`);
        }
        problems.push(...clobbered(fn.name, headers.get(fn.name)!.scratch, [fn.text], library, headers));
    }
    return problems;
}

/**
 * Whether a script's own variables survive the library functions it calls: none of the names
 * the script assigns may be a working variable of one of them.
 */
export function scriptGlobalsProblems(name: string, script: string, library: readonly LibraryFunction[]): string[] {
    const headers = new Map(library.map((fn) => [fn.name, globalsHeader(fn.text)]));
    return clobbered(name, [...assignedNames(script)], [script], library, headers);
}

/** The problems of `who`'s variables `own` that a library function it calls also uses as scratch. */
function clobbered(who: string, own: readonly string[], roots: readonly string[], library: readonly LibraryFunction[], headers: Map<string, GlobalsHeader>): string[] {
    return callees(roots, library)
        .filter((callee) => callee.name !== who)
        .flatMap((callee) =>
            own.filter((name) => headers.get(callee.name)!.scratch.includes(name)).map((name) => `${who} has its own ${name}, which ${callee.name} (called by it) overwrites`),
        );
}
