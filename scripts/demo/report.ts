import * as path from "path";
import { OpMap } from "@pulumi/pulumi/automation";
import { DEMO_STACK, DemoLayout, shown } from "./layout";

/** What an `up` did, in a few words: "7 resources created", or that nothing changed. */
export function describeChanges(changes: OpMap | undefined): { text: string; noop: boolean } {
    const entries = Object.entries(changes ?? {}).filter(([, count]) => (count ?? 0) > 0);
    const changed = entries.filter(([op]) => op !== "same");
    const same = changes?.same ?? 0;
    if (changed.length === 0) {
        return { text: `no changes (${same} resources unchanged)`, noop: true };
    }
    const parts = changed.map(([op, count]) => `${count} ${PAST[op] ?? op}`);
    return { text: `${parts.join(", ")}${same > 0 ? `, ${same} unchanged` : ""}`, noop: false };
}

const PAST: Record<string, string> = { create: "created", update: "updated", delete: "deleted", replace: "replaced" };

/** A command that shows the stack's outputs with the Pulumi CLI (no program, no network). */
export function inspectCommand(layout: DemoLayout, pulumi: string): string {
    const fromWork = (file: string) => path.relative(layout.work, file);
    const env = `PULUMI_CONFIG_PASSPHRASE_FILE=${fromWork(layout.passphrase)} PULUMI_HOME=${fromWork(layout.pulumiHome)}`;
    return `(cd ${shown(layout.work)} && ${env} ${fromWork(pulumi)} stack output -s ${DEMO_STACK})`;
}

/** The closing lines of a successful `npm run demo`. */
export function upSummary(options: {
    layout: DemoLayout;
    hostName: string;
    changes: string;
    noop: boolean;
    /** SSH logins on the host during the up. */
    logins: number;
    managedConf: string;
    nixConfDir: string;
    pulumi: string;
}): string {
    const { layout } = options;
    const configured = options.managedConf
        .split("\n")
        .filter((line) => line.startsWith("extra-"))
        .map((line) => `      ${line}`);
    return [
        "",
        `Done: pulumi up on stack "${DEMO_STACK}": ${options.changes}.`,
        options.noop
            ? `  Nothing to do: the host already had what the stack declares (${options.logins} SSH logins on it during the up).`
            : "  Running `npm run demo` again changes nothing while the host is as declared: each run reads it (one SSH session) and repairs only drift.",
        `  Host ${options.hostName} trusts the demo cache through ${shown(options.nixConfDir)}/nix-cache.conf, included from its nix.conf:`,
        ...configured,
        `  State: ${shown(layout.state)} (local file backend; secrets encrypted with the passphrase in ${shown(layout.passphrase)})`,
        `  Inspect: ${inspectCommand(layout, options.pulumi)}`,
        "  Tear down: npm run demo -- --destroy   (gives the host its files back and removes .demo/)",
        "  The throwaway host and cache are stopped now; the next run starts them again, same keys and ports.",
        "",
    ].join("\n");
}
