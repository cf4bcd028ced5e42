import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/** One file of the output, at a path relative to the output directory. */
export interface OutFile {
    readonly path: string;
    readonly content: string;
}

/** The output directory cannot be written as asked; nothing was changed. */
export class OutDirError extends Error {
    constructor(outDir: string, reason: string) {
        super(`Cannot write to ${outDir}: ${reason}; nothing was changed`);
        this.name = "OutDirError";
    }
}

/** The file that lists the output's files; it is also how an earlier output is recognised. */
export const MANIFEST = "manifest.json";

/**
 * Why `relative` may not be written under the output directory, or undefined when it may:
 * a relative POSIX path of plain segments, which therefore stays inside the directory.
 */
export function outPathProblem(relative: string): string | undefined {
    const segments = relative.split("/");
    if (relative === MANIFEST) {
        return `${MANIFEST} is the manifest's own name`;
    }
    const plain = segments.every((s) => s !== "" && s !== "." && s !== ".." && !/[\\\0]/.test(s));
    return plain ? undefined : `${JSON.stringify(relative)} is not a relative path that stays inside the directory`;
}

/**
 * Makes `files` plus `manifest` (as `manifest.json`) the whole content of `outDir`. The new
 * tree is built in a temporary directory beside it and swapped in when complete, so a failure
 * at any point leaves the previous state as it was. An existing directory is replaced only
 * when it is empty or exactly an earlier output (its manifest lists every file in it); a
 * symbolic link is never followed.
 */
export function replaceOutDir(outDir: string, files: readonly OutFile[], manifest: string): void {
    const target = path.resolve(outDir);
    const fail = (reason: string): never => {
        throw new OutDirError(outDir, reason);
    };
    const problems = files.map((f) => outPathProblem(f.path)).filter((p) => p !== undefined);
    const paths = new Set(files.map((f) => f.path));
    if (problems.length > 0 || paths.size !== files.length) {
        fail(problems[0] ?? "two files have the same path");
    }
    if (path.dirname(target) === target) {
        fail("the output must be a directory of its own, not the file system root");
    }
    const existing = inspect(target);
    if (existing !== "absent" && existing !== "replaceable") {
        fail(existing);
    }
    const parent = path.dirname(target);
    let temp: string | undefined;
    try {
        fs.mkdirSync(parent, { recursive: true });
        temp = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.render-`));
        for (const file of [...files, { path: MANIFEST, content: manifest }]) {
            const full = path.join(temp, file.path);
            fs.mkdirSync(path.dirname(full), { recursive: true });
            // "wx": in a directory of our own making, nothing is there to overwrite or follow.
            fs.writeFileSync(full, file.content, { flag: "wx" });
        }
        swapIn(temp, target, existing === "replaceable");
        temp = undefined;
    } catch (error) {
        fail(describeFsError(error));
    } finally {
        if (temp !== undefined) {
            fs.rmSync(temp, { recursive: true, force: true });
        }
    }
}

/** Puts `temp` at `target`; an earlier output is moved aside first and removed only after. */
function swapIn(temp: string, target: string, replacing: boolean): void {
    if (!replacing) {
        fs.renameSync(temp, target);
        return;
    }
    const aside = path.join(path.dirname(target), `.${path.basename(target)}.old-${crypto.randomBytes(6).toString("hex")}`);
    fs.renameSync(target, aside);
    try {
        fs.renameSync(temp, target);
    } catch (error) {
        fs.renameSync(aside, target);
        throw error;
    }
    try {
        fs.rmSync(aside, { recursive: true, force: true });
    } catch {
        // The new output is in place; a leftover of the old one beside it is harmless.
    }
}

/**
 * What is at `target`: nothing, something that may be replaced (an empty directory or an
 * earlier output), or why it may not.
 */
export function inspect(target: string): "absent" | "replaceable" | string {
    let stat: fs.Stats;
    try {
        stat = fs.lstatSync(target);
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "ENOENT" ? "absent" : describeFsError(error);
    }
    if (stat.isSymbolicLink()) {
        return "it is a symbolic link, which render does not follow; remove it or choose another --out";
    }
    if (!stat.isDirectory()) {
        return "it exists and is not a directory";
    }
    const found = listTree(target);
    if (found.length === 0) {
        return "replaceable";
    }
    const notOurs = `it is not empty and not an earlier render output (its ${MANIFEST} does not list exactly the files in it); choose an empty or new directory`;
    const listed = readManifestPaths(path.join(target, MANIFEST));
    if (listed === undefined) {
        return notOurs;
    }
    const expected = new Set([...listed, MANIFEST]);
    const dirs = new Set([...expected].flatMap((p) => p.split("/").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join("/"))));
    const ours = found.every((entry) => (entry.kind === "file" ? expected.has(entry.path) : entry.kind === "dir" && dirs.has(entry.path)));
    const complete = [...expected].every((p) => found.some((entry) => entry.kind === "file" && entry.path === p));
    return ours && complete ? "replaceable" : notOurs;
}

/** Every entry under `root`, by relative path; links are reported, never followed. */
function listTree(root: string, prefix = ""): { path: string; kind: "file" | "dir" | "other" }[] {
    return fs.readdirSync(path.join(root, prefix), { withFileTypes: true }).flatMap((entry) => {
        const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
        if (entry.isDirectory()) {
            return [{ path: relative, kind: "dir" as const }, ...listTree(root, relative)];
        }
        return [{ path: relative, kind: entry.isFile() ? ("file" as const) : ("other" as const) }];
    });
}

/** The paths an earlier output's manifest lists, or undefined when it is not one. */
function readManifestPaths(file: string): string[] | undefined {
    try {
        if (!fs.lstatSync(file).isFile()) {
            return undefined;
        }
        const entries = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
        if (!Array.isArray(entries) || !entries.every((e) => typeof e?.path === "string" && outPathProblem(e.path) === undefined)) {
            return undefined;
        }
        return entries.map((e: { path: string }) => e.path);
    } catch {
        return undefined;
    }
}

const FS_REASONS: Record<string, string> = {
    ENOTDIR: "a part of the path is a file, not a directory",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EROFS: "the file system is read-only",
    ENOSPC: "no space left on the device",
    EEXIST: "a file is in the way of another",
    EISDIR: "a directory is in the way of a file",
    ENAMETOOLONG: "a path is too long",
};

/** A file-system error in words, with the path it concerns. */
function describeFsError(error: unknown): string {
    if (error instanceof OutDirError) {
        return error.message;
    }
    const { code, path: where } = error as NodeJS.ErrnoException;
    const reason = (code && FS_REASONS[code]) ?? (error instanceof Error ? error.message : String(error));
    return where ? `${reason} (at ${where})` : reason;
}
