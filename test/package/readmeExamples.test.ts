import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../cli/args";

// The README's "Use it as a library" shows the example programs the consumer tests run
// (typescriptConsumer, yamlConsumer): each quoted whole, so the two cannot drift apart.

const README = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
const QUOTED: readonly (readonly [file: string, fence: string])[] = [
    ["examples/typescript/index.ts", "ts"],
    ["examples/yaml/Pulumi.yaml", "yaml"],
];

describe("the README's library examples", () => {
    it.each(QUOTED)("quotes %s as it is, and links its directory", (file, fence) => {
        const text = fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");
        expect(README).toContain(`\`\`\`${fence}\n${text}\`\`\`\n`);
        expect(README).toContain(`](${path.posix.dirname(file)}/)`);
    });
});
