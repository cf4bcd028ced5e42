import { spawnSync } from "child_process";
import * as path from "path";
import type { ParserInput, ParserReport } from "./workflowParser";

const ROOT = path.resolve(__dirname, "../..");

/** GitHub's workflow parser (in its own process: see workflowParser.ts) over `files`. */
export function workflowParser(files: readonly ParserInput[]): ParserReport[] {
    const result = spawnSync(path.join(ROOT, "node_modules/.bin/tsx"), [path.join(ROOT, "test/support/workflowParser.ts")], {
        encoding: "utf8",
        input: JSON.stringify(files),
        cwd: ROOT,
    });
    if (result.status !== 0) {
        throw new Error(`workflow parser failed to run: ${result.stderr}`);
    }
    return JSON.parse(result.stdout) as ParserReport[];
}
