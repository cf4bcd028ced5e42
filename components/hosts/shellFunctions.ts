/**
 * Picking, from a library of shell functions, the ones a script calls. A script carries only
 * what it reads, so its text (and with it the remote command's inputs) changes only when
 * something it depends on changes: the netrc command must not run again because a cache was
 * added, since running it sends the token again.
 */

/** One function of a shell library: its name and its definition, with the comment above it. */
export interface ShellFunction {
    readonly name: string;
    readonly text: string;
}

const FUNCTION_START = /^([A-Za-z_][A-Za-z0-9_]*)\(\) \{/;

/**
 * The functions defined in `source`, in order. Every top-level line must be a comment, a blank
 * line, or part of a function (`name() {` up to a line `}`, or all on one line): a top-level
 * statement would run in some scripts and not in others, so it is refused.
 */
export function parseShellFunctions(source: string, file: string): ShellFunction[] {
    const functions: ShellFunction[] = [];
    let comment: string[] = [];
    const lines = source.split("\n");
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        if (line.startsWith("#")) {
            comment.push(line);
            continue;
        }
        if (line.trim() === "") {
            comment = [];
            continue;
        }
        const start = FUNCTION_START.exec(line);
        if (start === null) {
            throw new Error(`${file}:${i + 1}: only functions and comments may stand at top level, not: ${line}`);
        }
        const end = line.trimEnd().endsWith("}") ? i : lines.indexOf("}", i + 1);
        if (end < 0) {
            throw new Error(`${file}:${i + 1}: function ${start[1]} has no closing line "}"`);
        }
        functions.push({ name: start[1], text: [...comment, ...lines.slice(i, end + 1)].join("\n") });
        comment = [];
        i = end;
    }
    return functions;
}

/** The names (words) shell text uses, outside whole-line comments. */
export function namesUsed(text: string): Set<string> {
    const code = text
        .split("\n")
        .filter((line) => !line.trimStart().startsWith("#"))
        .join("\n");
    return new Set(code.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []);
}

/**
 * The functions of `library` that `roots` call, directly or through one another, in library
 * order. A name that merely looks like a call (in a string, say) only adds a function, never
 * leaves one out.
 */
export function functionsCalled(roots: readonly string[], library: readonly ShellFunction[]): ShellFunction[] {
    const chosen = new Set<string>();
    const pending = roots.map(namesUsed);
    for (let names = pending.pop(); names !== undefined; names = pending.pop()) {
        for (const fn of library) {
            if (names.has(fn.name) && !chosen.has(fn.name)) {
                chosen.add(fn.name);
                pending.push(namesUsed(fn.text));
            }
        }
    }
    return library.filter((fn) => chosen.has(fn.name));
}
