import { StackModel } from "../config/model";
import { githubArtifacts } from "../github/githubArtifacts";
import { hostArtifacts } from "../hosts/hostArtifacts";
import { identityArtifacts } from "../identity/identityArtifacts";
import { mirrorArtifacts } from "../mirror/mirrorArtifacts";
import { Artifact, SecretText } from "./artifact";

/**
 * Every artifact a stack applies, from the same functions the components use.
 * Each concern contributes its own list.
 */
export function allArtifacts(model: StackModel, secret: SecretText, stack?: string): Artifact[] {
    return [...identityArtifacts(model, secret), ...githubArtifacts(model, secret), ...mirrorArtifacts(model, secret), ...hostArtifacts(model, secret, stack)];
}
