import { StackModel } from "../config/model";
import { githubArtifacts, mirrorSecretArtifacts } from "../github/githubArtifacts";
import { hostArtifacts } from "../hosts/hostArtifacts";
import { identityArtifacts } from "../identity/identityArtifacts";
import { mirrorArtifacts } from "../mirror/mirrorArtifacts";
import { renderedAddedCaches } from "../mirror/mirrorCache";
import { Artifact, SecretText } from "../render/artifact";

/**
 * Every artifact a stack applies, from the same functions the components use.
 * Each concern contributes its own list; the mirror's cache reaches the identity's and the
 * hosts' files as the caches they add, as `CacheSetup` hands it to their components.
 */
export function allArtifacts(model: StackModel, secret: SecretText, stack?: string): Artifact[] {
    const added = renderedAddedCaches(model);
    return [
        ...identityArtifacts(model, secret, added),
        ...githubArtifacts(model, secret),
        ...mirrorArtifacts(model, secret),
        ...mirrorSecretArtifacts(model),
        ...hostArtifacts(model, secret, added, stack),
    ];
}
