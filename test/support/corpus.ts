import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/** Where the hostile-input corpus lives: one stack file per case, `Pulumi.CASE.yaml`. */
export const CORPUS_DIR = path.resolve(__dirname, "../corpus");

/** A problem a case expects: at this key path, with this fragment in its message. */
export interface ExpectedProblem {
    /** `nix-cache:hosts[0].address`, or `yaml` for a stack file that is not YAML settings. */
    readonly path: string;
    /** Text the message contains. */
    readonly fragment: string;
}

/**
 * One corpus case, from its file's header comments:
 * `# expect: accepted` or `# expect: PATH | FRAGMENT` (render and the program),
 * `# expect-program: PATH | FRAGMENT` (the program only: render uses placeholders for secrets),
 * `# expect-render: PATH | FRAGMENT` (render only: what the stack file says and the engine
 * never hands the program, such as a key spelled two ways, of which Pulumi keeps one),
 * `# hidden: TEXT` (must appear in no message or rendered file).
 */
export interface CorpusCase {
    /** The stack name, `CASE` of `Pulumi.CASE.yaml`. */
    readonly name: string;
    /** The stack file. */
    readonly file: string;
    /** Problems render and the program report; empty when both accept it. */
    readonly expect: readonly ExpectedProblem[];
    /** Problems only the program reports. */
    readonly expectProgram: readonly ExpectedProblem[];
    /** Problems only render reports, reading the stack file itself. */
    readonly expectRender: readonly ExpectedProblem[];
    /** Text that must never be printed. */
    readonly hidden: readonly string[];
}

/** Every case of the corpus; a file without a valid header is an error, not a skipped case. */
export function corpusCases(): CorpusCase[] {
    return fs
        .readdirSync(CORPUS_DIR)
        .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
        .sort()
        .map((f) => readCase(path.join(CORPUS_DIR, f)));
}

function readCase(file: string): CorpusCase {
    const header = fs.readFileSync(file, "utf8").split("\n").filter((line) => line.startsWith("# "));
    const values = (tag: string) => header.filter((l) => l.startsWith(`# ${tag}: `)).map((l) => l.slice(tag.length + 4));
    const problems = (lines: string[]) =>
        lines.filter((l) => l !== "accepted").map((l) => {
            const [at, ...fragment] = l.split(" | ");
            return { path: at, fragment: fragment.join(" | ") };
        });
    const expect = values("expect");
    const expectProgram = values("expect-program");
    const expectRender = values("expect-render");
    if (expect.length === 0 && expectProgram.length === 0 && expectRender.length === 0) {
        throw new Error(`${file}: no "# expect:" line`);
    }
    return {
        name: path.basename(file).slice(7, -5),
        file,
        expect: problems(expect),
        expectProgram: problems(expectProgram),
        expectRender: problems(expectRender),
        hidden: values("hidden"),
    };
}

/**
 * The config a Pulumi engine would hand the program for a corpus stack file: every value as
 * text (structured ones as JSON), and `secure:` values decrypted to a stand-in secret.
 */
export function engineConfig(file: string): { config: Record<string, unknown>; secrets: Record<string, string> } {
    const settings = (parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> }).config ?? {};
    const config: Record<string, unknown> = {};
    const secrets: Record<string, string> = {};
    for (const [key, value] of Object.entries(settings)) {
        if (key.includes(":") && !key.startsWith("nix-cache:")) {
            continue; // another package's key (aws:region): not the program's
        }
        const name = key.startsWith("nix-cache:") ? key.slice("nix-cache:".length) : key;
        if (typeof value === "object" && value !== null && "secure" in value) {
            secrets[name] = `corpus-secret-${name}`;
        } else {
            config[name] = value;
        }
    }
    return { config, secrets };
}

/** Whether `problems` (as `path: message` lines) include each expected one. */
export function missingProblems(lines: readonly string[], expected: readonly ExpectedProblem[]): ExpectedProblem[] {
    return expected.filter((e) => !lines.some((line) => line.startsWith(`${e.path}: `) && line.includes(e.fragment)));
}
