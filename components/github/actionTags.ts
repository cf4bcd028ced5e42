import { ACTION_TAGS, ActionTag } from "./actionVersions";

export type { ActionTag };

/** The commit a known tag of an action pointed at, or undefined for a tag the table lacks. */
export function commitOfTag(action: string, tag: string, table: readonly ActionTag[] = ACTION_TAGS): string | undefined {
    return table.find((t) => t.action === action && t.tag === tag)?.commit;
}

/**
 * The version comment for a commit of an action: the most specific known tag at that commit
 * (`v7.0.1` rather than `v7`), as update tools read it. Undefined for a commit the table does
 * not know: a comment is never guessed from the configured tag.
 */
export function versionOfCommit(action: string, commit: string, table: readonly ActionTag[] = ACTION_TAGS): string | undefined {
    const tags = table.filter((t) => t.action === action && t.commit === commit).map((t) => t.tag);
    return tags.sort((a, b) => b.split(".").length - a.split(".").length || b.localeCompare(a, "en", { numeric: true }))[0];
}

/** The runtime of a known tag, to tell node20 actions (deprecated on runners) from current ones. */
export function runtimeOfTag(action: string, tag: string, table: readonly ActionTag[] = ACTION_TAGS): string | undefined {
    return table.find((t) => t.action === action && t.tag === tag)?.runtime;
}
