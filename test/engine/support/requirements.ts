import { requireBuilderHost } from "../../e2e/support/requirements";
import { requireTools } from "../../support/tools";

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
    return requireTools(["pulumi", "pulumi-resource-command"], "run `bash scripts/toolchain.sh pulumi command`");
}
