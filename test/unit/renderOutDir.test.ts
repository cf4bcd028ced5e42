import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterEach, describe, expect, it } from "vitest";
import { OutDirError, outPathProblem, replaceOutDir } from "../../cli/outDir";
import { renderStack } from "../../cli/render";

const temps: string[] = [];
const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "outdir-"));
    temps.push(dir);
    return dir;
};
afterEach(() => temps.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** Every entry under `dir` (relative paths, links not followed) with each file's content. */
function snapshot(dir: string): Record<string, string> {
    const entries: Record<string, string> = {};
    for (const name of fs.readdirSync(dir, { recursive: true }).map(String).sort()) {
        const full = path.join(dir, name);
        const stat = fs.lstatSync(full);
        entries[name] = stat.isSymbolicLink() ? `link:${fs.readlinkSync(full)}` : stat.isFile() ? fs.readFileSync(full, "utf8") : "dir";
    }
    return entries;
}

const STACKS = path.resolve(__dirname, "../../stacks");

describe("render's output directory", () => {
    it("creates a missing directory and its parents, writing nothing beside it but its own", () => {
        const root = tempDir();
        const out = path.join(root, "a/b/out");
        const manifest = renderStack("atproto", out);
        expect(Object.keys(snapshot(path.join(root, "a/b")))).toEqual(expect.arrayContaining(["out", "out/manifest.json"]));
        expect(fs.readdirSync(path.join(root, "a/b"))).toEqual(["out"]);
        expect(new Set(Object.entries(snapshot(out)).filter(([, v]) => v !== "dir").map(([k]) => k))).toEqual(
            new Set([...manifest.map((m) => m.path), "manifest.json"]),
        );
    });

    it("replaces its own earlier output entirely: another stack's workflow is not left behind", () => {
        const out = path.join(tempDir(), "out");
        const first = renderStack("atproto", out);
        expect(first.some((m) => m.kind === "workflow")).toBe(true);
        const stacksDir = tempDir();
        fs.writeFileSync(path.join(stacksDir, "Pulumi.hostsonly.yaml"), fs.readFileSync(path.resolve(__dirname, "../../stacks/Pulumi.atproto.yaml"), "utf8").replace(/\n {2}nix-cache:github:\n(?: {4}.*\n)+/, "\n"));
        const second = renderStack("hostsonly", out, stacksDir);
        expect(second.some((m) => m.kind === "workflow")).toBe(false);
        const files = Object.entries(snapshot(out)).filter(([, v]) => v !== "dir").map(([k]) => k);
        expect(new Set(files)).toEqual(new Set([...second.map((m) => m.path), "manifest.json"]));
        expect(fs.readdirSync(path.dirname(out))).toEqual(["out"]);
    });

    it("refuses a non-empty directory it did not write, and leaves it as it was", () => {
        const out = tempDir();
        fs.writeFileSync(path.join(out, "notes.txt"), "mine");
        const before = snapshot(out);
        expect(() => renderStack("atproto", out)).toThrow(/is not empty and not an earlier render output.*nothing was changed/);
        expect(snapshot(out)).toEqual(before);
    });

    it("refuses an earlier output that someone added a file to", () => {
        const out = path.join(tempDir(), "out");
        renderStack("atproto", out);
        fs.writeFileSync(path.join(out, "identity/extra.conf"), "added by hand");
        const before = snapshot(out);
        expect(() => renderStack("atproto", out)).toThrow(OutDirError);
        expect(snapshot(out)).toEqual(before);
    });

    it("never follows a symbolic link: neither the directory itself nor one inside an earlier output", () => {
        const root = tempDir();
        const elsewhere = path.join(root, "elsewhere");
        fs.mkdirSync(elsewhere);
        fs.writeFileSync(path.join(elsewhere, "precious"), "keep");
        const link = path.join(root, "out-link");
        fs.symlinkSync(elsewhere, link);
        expect(() => renderStack("atproto", link)).toThrow(/symbolic link/);
        expect(snapshot(elsewhere)).toEqual({ precious: "keep" });

        const out = path.join(root, "out");
        renderStack("atproto", out);
        fs.rmSync(path.join(out, "identity/nix.conf"));
        fs.symlinkSync(path.join(elsewhere, "precious"), path.join(out, "identity/nix.conf"));
        expect(() => renderStack("atproto", out)).toThrow(OutDirError);
        expect(fs.readFileSync(path.join(elsewhere, "precious"), "utf8")).toBe("keep");
        expect(fs.lstatSync(path.join(out, "identity/nix.conf")).isSymbolicLink()).toBe(true);
    });

    it("refuses a path that would leave the directory, before writing anything", () => {
        for (const bad of ["../escape", "/etc/passwd", "a/../../b", "a//b", "./a", "a\\b", "manifest.json", ""]) {
            expect(outPathProblem(bad), bad).toBeDefined();
        }
        expect(outPathProblem("hosts/builder/etc/nix/nix-cache.conf")).toBeUndefined();
        const root = tempDir();
        expect(() => replaceOutDir(path.join(root, "out"), [{ path: "../escape", content: "x" }], "[]")).toThrow(/stays inside/);
        expect(fs.readdirSync(root)).toEqual([]);
    });

    it("on a failure mid-write keeps the earlier output, removes its temporary tree and says why in words", () => {
        const root = tempDir();
        const out = path.join(root, "out");
        renderStack("atproto", out);
        const before = snapshot(out);
        // "a" is a file, so "a/b" cannot be written: the failure comes after "a" was.
        const error = (() => {
            try {
                replaceOutDir(out, [{ path: "a", content: "1" }, { path: "a/b", content: "2" }], "[]");
            } catch (e) {
                return e as Error;
            }
            return undefined;
        })();
        expect(error).toBeInstanceOf(OutDirError);
        expect(error?.message).toMatch(/^Cannot write to .*out: a file is in the way of another \(at .*\); nothing was changed$/);
        expect(error?.message).not.toMatch(/ENOTDIR/);
        expect(snapshot(out)).toEqual(before);
        expect(fs.readdirSync(root)).toEqual(["out"]);
    });

    it("refuses a file where the directory or one of its parents should be, in words", () => {
        const file = path.join(tempDir(), "out");
        fs.writeFileSync(file, "a file");
        expect(() => renderStack("atproto", file, STACKS)).toThrow(/exists and is not a directory/);
        expect(() => renderStack("atproto", path.join(file, "sub"), STACKS)).toThrow(/: a part of the path is a file, not a directory \(at .*\); nothing was changed$/);
        expect(fs.readFileSync(file, "utf8")).toBe("a file");
    });
});
