import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { findTool, TOOLS_BIN } from "../cli/localStack";
import { run } from "./commands";
import { duration, ratio } from "./format";
import { BenchOptions, BenchPart, PartResult } from "./part";
import { median } from "./stats";

const FULL = { runs: 3 };
const QUICK = { runs: 1 };

/** The plugins compared: what an installed package runs, and what a checkout runs. */
const PLUGINS = {
    packed: { dir: path.join("dist", "provider"), label: "packed plugin (dist/provider)" },
    checkout: { dir: "provider", label: "checkout provider/" },
} as const;

function missing(): string | undefined {
    if (findTool("pulumi") === undefined || findTool("pulumi-language-nodejs") === undefined) {
        return "the Pulumi CLI or the Node language host is missing; run `bash scripts/toolchain.sh pulumi`";
    }
    return undefined;
}

/**
 * Part 4: how long another language waits for the package's schema. `pulumi package
 * get-schema` starts the plugin through the Node language host and asks for the schema, the
 * first step of `package add` and `gen-sdk`. The packed plugin serves the schema generated at
 * build time; the checkout's analyzes the components' TypeScript at each start.
 */
export const providerStart: BenchPart = {
    name: "provider",
    title: "Schema time of the component provider, packed and from a checkout",
    async run(options: BenchOptions): Promise<PartResult> {
        const method = [
            "`pulumi package get-schema DIR` (the pinned CLI and Node language host in .tools/bin), run to completion, alternating the two plugin directories so load affects both alike.",
            "The packed plugin is dist/provider/ as `npm run build` (npm pack's prepack) makes it; it resolves @pulumi/pulumi from the checkout's node_modules, as an installed package resolves it from its consumer's.",
            "Each run has a fresh PULUMI_HOME, so no plugin cache is shared between runs.",
        ];
        const skipped = missing();
        if (skipped !== undefined) {
            return { rows: [], findings: [], method, skipped };
        }
        const settings = options.quick ? QUICK : FULL;
        options.log("provider: building dist/ (npm run build)");
        // The same lock the package tests take: each rebuilds dist/ in place.
        await run("flock", [path.join(options.root, "node_modules", ".nix-cache-pack.lock"), "npm", "run", "--silent", "build"], { ...process.env, npm_config_loglevel: "error" }, options.root);
        const work = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-bench-provider-"));
        const times: Record<keyof typeof PLUGINS, number[]> = { packed: [], checkout: [] };
        const sizes: Record<keyof typeof PLUGINS, number> = { packed: 0, checkout: 0 };
        try {
            for (let i = 0; i < settings.runs; i++) {
                for (const which of ["packed", "checkout"] as const) {
                    const home = path.join(work, `home-${which}-${i}`);
                    const env = { ...process.env, PATH: `${TOOLS_BIN}${path.delimiter}${process.env.PATH ?? ""}`, PULUMI_HOME: home, PULUMI_SKIP_UPDATE_CHECK: "true" };
                    const result = await run(findTool("pulumi")!, ["package", "get-schema", path.join(options.root, PLUGINS[which].dir)], env, work);
                    times[which].push(result.ms);
                    sizes[which] = result.stdout.length;
                    options.log(`provider: ${which} ${i + 1}/${settings.runs}: ${duration(result.ms)}`);
                }
            }
        } finally {
            fs.rmSync(work, { recursive: true, force: true });
        }
        const packed = median(times.packed);
        const checkout = median(times.checkout);
        const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
        return {
            rows: [
                {
                    part: "provider",
                    case: `get-schema (${kib(sizes.packed)} schema)`,
                    subject: PLUGINS.packed.label,
                    subjectValue: duration(packed),
                    reference: PLUGINS.checkout.label,
                    referenceValue: duration(checkout),
                    ratio: ratio(packed / checkout),
                    memory: "—",
                    runs: `${settings.runs} pairs`,
                },
            ],
            findings: [
                `A Pulumi program in another language gets the installed package's schema in ${duration(packed)}; a checkout's provider/, which analyzes the TypeScript at start, takes ${duration(checkout)}.` +
                    (sizes.packed === sizes.checkout ? " Both serve the same schema." : ` The schemas differ in size (${sizes.packed} and ${sizes.checkout} bytes): rebuild dist/.`),
            ],
            method,
        };
    },
};
