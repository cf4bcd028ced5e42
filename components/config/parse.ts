import { DocumentIssue, withDocumentIssues } from "./documentRules";
import { StackModel } from "./model";
import { nixosCacheFileIssues } from "./modelRules";
import { stackSchema } from "./stackSchema";

/** A stack document parsed: the model, or every problem found, each at its key path. */
export type StackParse = { readonly success: true; readonly data: StackModel } | { readonly success: false; readonly issues: readonly DocumentIssue[] };

/**
 * Parses a stack document (its keys without the namespace) with `schema`, the document's own
 * rules and the rules on what is derived from the model, in that order: everything `render`
 * and the components could refuse later is refused here, by key path.
 */
export function parseStack(schema: ReturnType<typeof stackSchema>, doc: unknown): StackParse {
    const result = schema.safeParse(doc);
    const issues = withDocumentIssues(result.success ? [] : result.error.issues.map(({ path, message }) => ({ path, message })), doc);
    if (!result.success || issues.length > 0) {
        return { success: false, issues };
    }
    const derived = nixosCacheFileIssues(result.data);
    return derived.length > 0 ? { success: false, issues: derived } : { success: true, data: result.data };
}
