import { findCommandPlugin } from "../../../cli/localStack";
import { requireBuilderHost } from "../../e2e/support/requirements";
import { requireTools } from "../../support/tools";

const HOW = "run `bash scripts/toolchain.sh pulumi command`";

/**
 * What engine tests need: a real builder host (root, sshd, Nix) and the pinned Pulumi CLI and
 * command provider from scripts/toolchain.sh. Missing pieces skip the file locally, with a
 * message, and fail it under CI, where `npm test` builds them first.
 */
export function requireEngine(): { skip: boolean } {
    const host = requireBuilderHost();
    if (host.skip) {
        return host;
    }
    const cli = requireTools(["pulumi"], HOW);
    if (cli.skip || findCommandPlugin() !== undefined) {
        return cli;
    }
    // Found where the engine looks for it too: the Pulumi plugin cache (see findCommandPlugin).
    const message = `missing the pulumi-resource-command plugin: ${HOW}`;
    if (process.env.CI) {
        throw new Error(message);
    }
    console.warn(`SKIPPED: ${message}`);
    return { skip: true };
}
