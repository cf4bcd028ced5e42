import * as path from "path";
import { PROJECT_ROOT } from "../../cli/args";

/** The demo's stack, declared in stacks/Pulumi.local.yaml. */
export const DEMO_STACK = "local";

/**
 * Where the demo keeps everything it makes, all under `.demo/` (git-ignored), so a run leaves
 * the checkout as it was and `--destroy` removes every trace but the Nix store's.
 */
export interface DemoLayout {
    readonly root: string;
    /** The throwaway builder host: keys, sshd config and log, its Nix config dir. */
    readonly host: string;
    /** The binary cache: signing key and the `file://` cache it serves. */
    readonly cache: string;
    /** The file state backend. */
    readonly state: string;
    /** The Pulumi workspace: Pulumi.yaml and the stack's config file, Pulumi.local.yaml. */
    readonly work: string;
    /** The plugin cache of the demo's Pulumi CLI. */
    readonly pulumiHome: string;
    /** The passphrase the stack's secrets are encrypted with (mode 0600). */
    readonly passphrase: string;
}

/** The layout under `root` (default: `.demo/` in the project). */
export function demoLayout(root = path.join(PROJECT_ROOT, ".demo")): DemoLayout {
    return {
        root,
        host: path.join(root, "host"),
        cache: path.join(root, "cache"),
        state: path.join(root, "state"),
        work: path.join(root, "work"),
        pulumiHome: path.join(root, "pulumi-home"),
        passphrase: path.join(root, "passphrase"),
    };
}

/** `file` relative to the project root when it is inside it, for messages. */
export function shown(file: string): string {
    const relative = path.relative(PROJECT_ROOT, file);
    return relative.startsWith("..") ? file : relative || ".";
}
