/**
 * One measurement of program construction under Pulumi mocks, in its own process so that peak
 * memory belongs to this configuration alone and Pulumi's global runtime state starts clean.
 * Usage: node --expose-gc --import tsx bench/programScaleChild.ts '<ChildRequest JSON>'
 */
import * as pulumi from "@pulumi/pulumi";
import { performance } from "perf_hooks";
import { ChildRequest, ChildResult, RESULT_PREFIX } from "./programScaleProtocol";

interface Counts {
    custom: number;
    component: number;
    customTypes: Record<string, number>;
}

/** The wiring tests' mocks, counting registrations instead of keeping them. */
async function installCountingMocks(): Promise<Counts> {
    const counts: Counts = { custom: 0, component: 0, customTypes: {} };
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                if (args.custom ?? true) {
                    counts.custom++;
                    counts.customTypes[args.type] = (counts.customTypes[args.type] ?? 0) + 1;
                } else {
                    counts.component++;
                }
                // Commands' outputs are read by the host component, as a real provider fills them.
                const extra = args.type === "command:remote:Command" ? { stdout: "", stderr: "" } : {};
                return { id: `${args.name}-id`, state: { ...args.inputs, ...extra } };
            },
            call(args) {
                return { ...args.inputs, id: "mock-id" };
            },
        },
        "nix-cache",
        "bench",
        false,
    );
    return counts;
}

/** Loads what the measured code needs, and returns the code to time. */
async function prepare(request: ChildRequest): Promise<{ validateMs: number; construct: () => void }> {
    // Both kinds load the components (and so @pulumi/aws) before timing: module code then
    // weighs the same in both processes' memory, and only what is constructed differs.
    const { CacheSetup } = await import("../components/setup/cacheSetup");
    const { stackSectionsOf } = await import("../components/args/stackSections");
    const { documentOf } = await import("../components/config/load");
    if (request.kind === "program") {
        const { scaleModel, SCALE_SECRETS } = await import("./scaleModel");
        const start = performance.now();
        const model = scaleModel(request.hosts, request.repos);
        const validateMs = performance.now() - start;
        const secrets = {
            cachixAuthToken: pulumi.secret(SCALE_SECRETS.cachixAuthToken),
            sshPrivateKeys: { sshPrivateKey: pulumi.secret(SCALE_SECRETS.sshPrivateKey) },
        };
        return { validateMs, construct: () => void new CacheSetup("nix-cache", { ...stackSectionsOf(documentOf(model)), ...secrets }) };
    }
    const { plainResource } = await import("./plainResources");
    const types = Object.entries(request.customTypes ?? {});
    return {
        validateMs: 0,
        construct: () => {
            for (const [type, count] of types) {
                for (let i = 0; i < count; i++) {
                    plainResource(type, `plain-${i}`);
                }
            }
        },
    };
}

async function main(): Promise<void> {
    const request = JSON.parse(process.argv[2] ?? "{}") as ChildRequest;
    const counts = await installCountingMocks();
    const { validateMs, construct } = await prepare(request);
    // Start both kinds from a collected heap, so RSS growth is the construction's own.
    (globalThis as { gc?: () => void }).gc?.();
    const rssBefore = process.memoryUsage.rss();
    const start = performance.now();
    construct();
    // disconnect() resolves once every registerResource, registerResourceOutputs and invoke
    // the program started has completed, including those waiting on outputs' applies.
    await pulumi.runtime.disconnect();
    const constructMs = performance.now() - start;
    const registered = counts.custom + counts.component;
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (counts.custom + counts.component !== registered) {
        throw new Error(`registrations kept arriving after the RPC queue drained (${registered} -> ${counts.custom + counts.component})`);
    }
    const result: ChildResult = {
        kind: request.kind,
        validateMs,
        constructMs,
        custom: counts.custom,
        component: counts.component,
        customTypes: counts.customTypes,
        rssBeforeMb: rssBefore / 2 ** 20,
        // maxRSS is in KiB on Linux.
        peakRssMb: process.resourceUsage().maxRSS / 1024,
    };
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
});
