import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";

// Dependencies run one way: components, then the program, the cli and the provider, then the dev harness
// (scripts/), then tests and bench. This reads every .ts file's relative imports from disk.

const ROOT = path.resolve(__dirname, "../..");
const SKIPPED = new Set(["node_modules", ".git", ".tools", "dist", "bin", "out", ".demo"]);

/** Every .ts file under `dir`, relative to the project root, with `/` separators. */
function tsFiles(dir = ROOT): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            return SKIPPED.has(entry.name) ? [] : tsFiles(file);
        }
        return entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path.relative(ROOT, file).split(path.sep).join("/")] : [];
    });
}

// Statements start a line; a require or import() must not follow a quote on its line, so
// module text inside string literals (programs a test writes out) is not read as an import.
const SPECIFIERS = [
    /^(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']/gm,
    /^import\s*["']([^"']+)["']/gm,
    /^[^'"`\n]*\b(?:require|import)\(\s*["']([^"']+)["']\s*\)/gm,
];

/** The relative module specifiers `source` imports, re-exports or requires (type-only ones too). */
export function relativeSpecifiers(source: string): string[] {
    const found = SPECIFIERS.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]));
    return [...new Set(found.filter((specifier) => specifier.startsWith(".")))];
}

/** The file `specifier` names from `from` (`x.ts` or `x/index.ts`), or undefined. */
function resolveImport(from: string, specifier: string): string | undefined {
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
    return [`${base}.ts`, `${base}/index.ts`, base].find((candidate) => candidate.endsWith(".ts") && fs.existsSync(path.join(ROOT, candidate)));
}

/** Every cycle of `graph` as a path that starts and ends at the same file (one per strongly connected part). */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
    const cycles: string[][] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (node: string): void => {
        state.set(node, "open");
        stack.push(node);
        for (const next of graph.get(node) ?? []) {
            if (state.get(next) === "open") {
                cycles.push([...stack.slice(stack.indexOf(next)), next]);
            } else if (!state.has(next)) {
                visit(next);
            }
        }
        stack.pop();
        state.set(node, "done");
    };
    [...graph.keys()].sort().forEach((node) => state.has(node) || visit(node));
    return cycles;
}

/** Which layer a file belongs to, for the one-way rule. */
function layer(file: string): "components" | "program" | "harness" | "bench" | "test" | "other" {
    if (file.startsWith("components/")) return "components";
    if (file === "program.ts" || file === "index.ts" || file.startsWith("cli/") || file.startsWith("provider/")) return "program";
    if (file.startsWith("scripts/")) return "harness";
    if (file.startsWith("bench/")) return "bench";
    if (file.startsWith("test/")) return "test";
    return "other";
}

/** What each layer must not import. */
const FORBIDDEN: Record<ReturnType<typeof layer>, readonly ReturnType<typeof layer>[]> = {
    components: ["program", "harness", "bench", "test", "other"],
    program: ["harness", "bench", "test"],
    harness: ["bench", "test"],
    bench: ["test"],
    test: [],
    other: [],
};

/**
 * The layers inside components/, bottom first: a file imports its own folder or a lower layer,
 * never a higher one, nor another folder of its own layer. Pure formats and helpers; the stack
 * model; the component args; the shared Nix text renderers; the cache identity; the wings
 * (hosts and the S3 mirror); GitHub CI, which pushes to the mirror and holds its CI secrets;
 * the whole setup and its aggregate render; the component provider; the index.
 */
export const COMPONENT_LAYERS: readonly (readonly string[])[] = [
    ["formats"],
    ["config"],
    ["args"],
    ["render"],
    ["identity"],
    ["hosts", "mirror"],
    ["github"],
    ["setup"],
    ["provider"],
    ["index.ts"],
];

/** The folder (or top-level file) of components/ that `file` belongs to, or undefined outside components/. */
export function componentGroup(file: string): string | undefined {
    const parts = file.split("/");
    return parts[0] === "components" ? parts[1] : undefined;
}

/** The imports of `graph` inside components/ that go up a layer or sideways into another folder of the same layer. */
export function upwardImports(graph: ReadonlyMap<string, readonly string[]>, layers: readonly (readonly string[])[]): string[] {
    const rank = (file: string): number => layers.findIndex((layer) => layer.includes(componentGroup(file) ?? ""));
    return [...graph].flatMap(([file, targets]) => {
        const from = componentGroup(file);
        if (from === undefined) {
            return [];
        }
        return targets
            .filter((target) => componentGroup(target) !== undefined && componentGroup(target) !== from && !(rank(target) < rank(file)))
            .map((target) => `${file} -> ${target}`);
    });
}

const files = tsFiles();
const unresolved: string[] = [];
const graph = new Map<string, string[]>(
    files.map((file) => {
        const targets = relativeSpecifiers(fs.readFileSync(path.join(ROOT, file), "utf8")).flatMap((specifier) => {
            const target = resolveImport(file, specifier);
            if (target === undefined) {
                unresolved.push(`${file} -> ${specifier}`);
            }
            return target === undefined ? [] : [target];
        });
        return [file, targets];
    }),
);

describe("the import graph", () => {
    it("is read from every layer, and every relative import names a file", () => {
        expect(unresolved).toEqual([]);
        // Known edges, one per layer: the reader sees imports, re-exports and multi-line imports.
        expect(graph.get("program.ts")).toContain("components/setup/cacheSetup.ts");
        expect(graph.get("components/index.ts")).toContain("components/setup/cacheSetup.ts");
        expect(graph.get("scripts/demo.ts")).toContain("scripts/localhost/localNix.ts");
        expect(graph.get("bench/applyFleet.ts")).toContain("scripts/localhost/engine/engineStack.ts");
        expect(graph.get("test/unit/importGraph.test.ts")).toEqual([]);
    });

    it("has no cycle, type-only imports included", () => {
        expect(findCycles(graph).map((cycle) => cycle.join(" -> "))).toEqual([]);
    });

    it("runs one way: components, then program and cli, then scripts, then bench and tests", () => {
        const wrongWay = [...graph].flatMap(([file, targets]) =>
            targets.filter((target) => FORBIDDEN[layer(file)].includes(layer(target))).map((target) => `${file} -> ${target}`),
        );
        expect(wrongWay).toEqual([]);
    });

    it("inside components/, every folder is in a layer and imports only its own folder or lower layers", () => {
        const unplaced = [...new Set(files.map(componentGroup).filter((group) => group !== undefined))].filter((group) => !COMPONENT_LAYERS.flat().includes(group));
        expect({ unplaced, upward: upwardImports(graph, COMPONENT_LAYERS) }).toEqual({ unplaced: [], upward: [] });
    });
});

describe("the layer rule", () => {
    it("allows imports down and within a folder, and reports imports up or sideways", () => {
        const layers = [["formats"], ["hosts", "mirror"], ["setup"]];
        const g = new Map([
            ["components/setup/a.ts", ["components/hosts/b.ts", "components/formats/c.ts", "components/setup/d.ts"]],
            ["components/hosts/b.ts", ["components/mirror/e.ts", "components/hosts/f.ts"]],
            ["components/formats/c.ts", ["components/setup/a.ts"]],
            ["cli/x.ts", ["components/setup/a.ts"]],
        ]);
        expect(upwardImports(g, layers)).toEqual(["components/hosts/b.ts -> components/mirror/e.ts", "components/formats/c.ts -> components/setup/a.ts"]);
    });
});

describe("the reader", () => {
    it("finds import, export-from, side-effect, require and dynamic import specifiers, relative ones only", () => {
        const source = [
            'import { a,\n    b } from "./a";',
            'import type { T } from "../t";',
            'export * from "./c";',
            'import "./side";',
            'const d = require("./d");',
            'const e = await import("../e");',
            'import * as fs from "fs";',
        ].join("\n");
        expect(relativeSpecifiers(source).sort()).toEqual(["../e", "../t", "./a", "./c", "./d", "./side"]);
    });

    it("reports a cycle, and none in a graph without one", () => {
        const looped = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]);
        expect(findCycles(looped)).toEqual([["a", "b", "c", "a"]]);
        expect(findCycles(new Map([["a", ["b"]], ["b", ["c"]], ["d", ["a", "c"]]]))).toEqual([]);
    });
});
