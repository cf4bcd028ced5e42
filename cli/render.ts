import { filesWithCredentials } from "../components/config/documentRules";
import { loadStackModel } from "../components/config/load";
import { rawConfigFromStackFile } from "../components/config/sources";
import { allArtifacts } from "../components/setup/allArtifacts";
import { Artifact, secretPlaceholder } from "../components/render/artifact";
import { parseCommandLine, stackFile } from "./args";
import { replaceOutDir } from "./outDir";
import { appliedState } from "./appliedState";
import { PulumiConfigOptions, runPulumi } from "./pulumiCli";
import { noChanges, stackChanges } from "./renderChanges";
import { stackSummary } from "./renderSummary";

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
    const artifacts = withoutCredentials(allArtifacts(model, secretPlaceholder, stack));
    const manifest = artifacts.map(({ kind, target, path }) => ({ kind, target, path }));
    replaceOutDir(outDir, artifacts, `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
}

/**
 * What `pulumi up` gives each target of the stack `stack`, and what would change since its last
 * `up` (see {@link stackSummary}); nothing is written. State is read as `pulumi stack export`
 * prints it (secrets stay encrypted); without it, the summary says why and shows no changes.
 */
export async function renderSummary(stack: string, stacksDir?: string, cli: PulumiConfigOptions = {}): Promise<string> {
    const model = loadStackModel(rawConfigFromStackFile(stackFile(stack, stacksDir)), { mode: "render" });
    const artifacts = withoutCredentials(allArtifacts(model, secretPlaceholder, stack));
    let exported: unknown;
    try {
        exported = JSON.parse(await runPulumi(["stack", "export", "--stack", stack], cli, STATE_TIMEOUT_MS));
    } catch (error) {
        return stackSummary(stack, model, artifacts, noChanges(`no state to compare with (pulumi stack export: ${(error as Error).message})`));
    }
    return stackSummary(stack, model, artifacts, stackChanges(stack, model, artifacts, appliedState(exported)));
}

/** How long render waits for the stack's state: it works offline, so an unreachable backend must not hold it. */
const STATE_TIMEOUT_MS = 30_000;

/**
 * `artifacts`, once none holds a credential. Validation refuses every value that looks like one,
 * and secrets are placeholders here, so a credential found now is a gap in validation.
 */
function withoutCredentials(artifacts: Artifact[]): Artifact[] {
    const found = filesWithCredentials(artifacts);
    if (found.length > 0) {
        throw new Error(`Refusing to render: ${found.join(", ")} would hold a credential that validation let through; nothing was written`);
    }
    return artifacts;
}

const USAGE = "npm run render -- --stack NAME [--out DIR] [--stacks-dir DIR]";

/** The command line: the stack, the output directory (none: a summary per target) and where the stack files are. */
export function renderArgs(argv: readonly string[]) {
    return parseCommandLine(argv, { stack: { type: "string" }, out: { type: "string" }, "stacks-dir": { type: "string" } }, USAGE, ["stack"]);
}

async function main(argv: readonly string[]): Promise<number> {
    const args = renderArgs(argv);
    if ("error" in args) {
        console.error(args.error);
        return 2;
    }
    try {
        if (args.out === undefined) {
            // Without --out: what each host, repository and bucket gets, and what would change; nothing is written.
            process.stdout.write(await renderSummary(args.stack, args["stacks-dir"]));
            return 0;
        }
        const manifest = renderStack(args.stack, args.out, args["stacks-dir"]);
        for (const entry of manifest) {
            console.log(`${entry.kind.padEnd(15)} ${entry.path.padEnd(40)} -> ${entry.target}`);
        }
        console.log(`Wrote ${manifest.length} file(s) and manifest.json to ${args.out}`);
        // Said, since preview and up do ask: what render shows was not checked against the cache.
        console.log("Cachix was not asked (render works offline): the keys, visibility and tokens are checked at preview and up");
        return 0;
    } catch (error) {
        // Validation, stack-file and output-directory errors are the user's to fix: no stack trace.
        console.error(error instanceof Error ? error.message : String(error));
        return 1;
    }
}

if (require.main === module) {
    void main(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    });
}
