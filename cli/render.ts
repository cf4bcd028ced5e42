import { loadStackModel } from "../components/config/load";
import { rawConfigFromStackFile } from "../components/config/sources";
import { allArtifacts } from "../components/render/allArtifacts";
import { Artifact, secretPlaceholder } from "../components/render/artifact";
import { parseArgs, stackFile } from "./args";
import { replaceOutDir } from "./outDir";

/** One line of `manifest.json`. */
export interface ManifestEntry {
    /** What the file is. */
    readonly kind: Artifact["kind"];
    /** Where `pulumi up` puts it. */
    readonly target: string;
    /** Its path under the output directory. */
    readonly path: string;
}

/**
 * Renders every artifact of the stack `stack` and makes them, with `manifest.json`, the whole
 * content of `outDir` (see {@link replaceOutDir}). Secrets are written as placeholders. Throws
 * a ConfigValidationError on bad config, before anything is written.
 */
export function renderStack(stack: string, outDir: string, stacksDir?: string): ManifestEntry[] {
    const model = loadStackModel(rawConfigFromStackFile(stackFile(stack, stacksDir)), { mode: "render" });
    const artifacts = allArtifacts(model, secretPlaceholder, stack);
    const manifest = artifacts.map(({ kind, target, path }) => ({ kind, target, path }));
    replaceOutDir(outDir, artifacts, `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
}

function main(argv: readonly string[]): number {
    const args = parseArgs(argv, ["stack", "out"], "npm run render -- --stack NAME --out DIR [--stacks-dir DIR]");
    if ("error" in args) {
        console.error(args.error);
        return 2;
    }
    try {
        const manifest = renderStack(args.stack, args.out, args["stacks-dir"]);
        for (const entry of manifest) {
            console.log(`${entry.kind.padEnd(15)} ${entry.path.padEnd(40)} -> ${entry.target}`);
        }
        console.log(`Wrote ${manifest.length} file(s) and manifest.json to ${args.out}`);
        return 0;
    } catch (error) {
        // Validation, stack-file and output-directory errors are the user's to fix: no stack trace.
        console.error(error instanceof Error ? error.message : String(error));
        return 1;
    }
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
