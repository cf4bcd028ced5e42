/**
 * Completes the shipped plugin directory (dist/provider/, run by `npm run build` after tsc
 * has compiled its entry there): PulumiPlugin.yaml, a package.json whose main is the compiled
 * entry, and the schema the analyzer generates now, once, so the plugin never analyzes at run
 * time. The package.json declares no dependencies: `@pulumi/pulumi` and the components'
 * dependencies resolve from the installing program's node_modules, as the library's do.
 *
 *   tsx provider/build.ts OUT_DIR
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "node:util";
import { SCHEMA_FILE } from "../components/provider/componentProvider";
import { analyzeSchema, packageVersion } from "./analyze";

async function build(out: string): Promise<void> {
    const entry = path.join(out, "index.js");
    if (!fs.existsSync(entry)) {
        throw new Error(`${entry} is missing: compile the library (tsc -p tsconfig.lib.json) before completing the plugin directory`);
    }
    const manifest = { name: "nix-cache", version: packageVersion(), private: true, description: "The nix-cache components as a Pulumi plugin (PulumiPlugin.yaml).", main: "index.js" };
    fs.writeFileSync(path.join(out, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    fs.copyFileSync(path.join(__dirname, "PulumiPlugin.yaml"), path.join(out, "PulumiPlugin.yaml"));
    fs.writeFileSync(path.join(out, SCHEMA_FILE), `${JSON.stringify(JSON.parse(await analyzeSchema()), null, 2)}\n`);
}

const { positionals } = parseArgs({ allowPositionals: true });
if (positionals.length !== 1) {
    process.stderr.write("usage: tsx provider/build.ts OUT_DIR\n");
    process.exit(2);
}
build(path.resolve(positionals[0])).catch((error: unknown) => {
    process.stderr.write(`provider build: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
});
