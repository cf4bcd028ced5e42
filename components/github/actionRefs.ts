import { actionRepository } from "../config/githubSection";
import { WorkflowActionsSpec } from "../config/model";
import { commitOfTag, versionOfCommit } from "./actionTags";

/** An action reference as the workflow writes it. */
export interface ResolvedAction {
    /** The `uses:` value: `owner/repo[/path]@ref`, or `@sha` when pinned. */
    readonly uses: string;
    /** The exact version a pinned commit is, written as `# vX.Y.Z` after `uses:`; only when known. */
    readonly comment?: string;
}

/**
 * Resolves a configured reference. An explicit pin wins; otherwise, with `pin: commit`
 * (the default), a tag the project's table knows is replaced by its commit (immutable, unlike
 * a tag). The comment is the most specific tag the table has at that commit, never the
 * configured tag copied over: a commit the table does not know gets no comment, and a tag it
 * does not know stays a tag.
 */
export function resolveAction(reference: string, actions: WorkflowActionsSpec): ResolvedAction {
    const repository = actionRepository(reference);
    const [path, ref] = reference.split("@");
    const pinned = actions.pins[repository] ?? (/^[0-9a-f]{40}$/.test(ref) ? ref : undefined);
    const commit = pinned ?? (actions.pin === "commit" ? commitOfTag(repository, ref) : undefined);
    if (commit === undefined) {
        return { uses: reference };
    }
    const version = versionOfCommit(repository, commit);
    return { uses: `${path}@${commit}`, ...(version === undefined ? {} : { comment: version }) };
}
