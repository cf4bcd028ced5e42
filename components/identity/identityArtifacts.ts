import { StackModel, TrustedCacheSpec } from "../config/model";
import { trustedCaches } from "../config/trustedCaches";
import { Artifact, SecretText } from "../render/artifact";
import { renderNetrc } from "../render/netrc";
import { renderNixConfLines } from "../render/nixConf";
import { renderNixosModule } from "../render/nixosModule";

/**
 * What a user pastes by hand: the same text as the stack outputs of the same names (the
 * mirror's generated key as a placeholder). `added` are the caches the stack adds to what users
 * trust (the mirror, as `render` sees it).
 */
export function identityArtifacts(model: StackModel, secret: SecretText, added: readonly TrustedCacheSpec[]): Artifact[] {
    const trusted = trustedCaches(model, added);
    const artifacts: Artifact[] = [
        { kind: "nix-conf", target: "stack-output:nixConf", path: "identity/nix.conf", content: renderNixConfLines(trusted) },
        { kind: "nixos-module", target: "stack-output:nixosModule", path: "identity/nixos-module.nix", content: renderNixosModule(trusted) },
    ];
    if (model.cache.private) {
        artifacts.push({
            kind: "netrc",
            target: "stack-output:netrc",
            path: "identity/netrc",
            content: renderNetrc(model.cache, secret("cachixAuthToken")),
        });
    }
    return artifacts;
}
