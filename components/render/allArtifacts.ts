import { StackModel } from "../config/model";
import { identityArtifacts } from "../identity/identityArtifacts";
import { Artifact, SecretText } from "./artifact";

/**
 * Every artifact a stack applies, from the same functions the components use.
 * Each concern contributes its own list.
 */
export function allArtifacts(model: StackModel, secret: SecretText): Artifact[] {
    return [...identityArtifacts(model, secret)];
}
