import { actionRepository } from "../config/githubSection";
import { WorkflowActionsSpec } from "../config/model";

/** An action reference as the workflow writes it. */
export interface ResolvedAction {
    /** The `uses:` value: `owner/repo[/path]@ref`, or `@sha` when pinned. */
    readonly uses: string;
    /** The configured ref a pinned SHA stands for, written as a comment after `uses:`. */
    readonly pinnedFrom?: string;
}

/**
 * Resolves a configured reference against the pins: a pinned action is used at its commit
 * SHA (immutable, unlike a tag), with the tag it replaces kept as a comment for readers and
 * update tools.
 */
export function resolveAction(reference: string, actions: WorkflowActionsSpec): ResolvedAction {
    const sha = actions.pins[actionRepository(reference)];
    if (sha === undefined) {
        return { uses: reference };
    }
    const [path, ref] = reference.split("@");
    return { uses: `${path}@${sha}`, pinnedFrom: ref };
}
