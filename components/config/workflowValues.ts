/**
 * Values that reach a workflow file. GitHub evaluates `${{ ... }}` anywhere in a workflow,
 * inside quoted strings and `run:` scripts alike, so a configured value holding one would be
 * evaluated in the job (a branch name, a cache URL). Whatever each field's own rule says, none
 * of the sections a workflow is rendered from may hold it.
 */

/** The stack keys a workflow is rendered from. */
export const WORKFLOW_SOURCES = ["cache", "extraCaches", "github", "mirror"] as const;

/** What a value holding an expression opener is told. */
export const EXPRESSION_MESSAGE = "would open a GitHub expression in the workflow; expected text without ${{";

/** Paths (from the stack document) of strings under the workflow's sources that contain `${{`. */
export function expressionPaths(doc: Readonly<Record<string, unknown>>): PropertyKey[][] {
    if (doc.github === undefined) {
        return [];
    }
    const found: PropertyKey[][] = [];
    const walk = (value: unknown, path: PropertyKey[]) => {
        if (typeof value === "string") {
            if (value.includes("${{")) {
                found.push(path);
            }
        } else if (Array.isArray(value)) {
            value.forEach((item, index) => walk(item, [...path, index]));
        } else if (typeof value === "object" && value !== null && !("secure" in value)) {
            for (const [key, item] of Object.entries(value)) {
                walk(item, [...path, key]);
            }
        }
    };
    for (const key of WORKFLOW_SOURCES) {
        walk(doc[key], [key]);
    }
    return found;
}
