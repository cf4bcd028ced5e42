/**
 * Rules on the stack document as written, beside the schema's: they see every key and value
 * before zod copies them (zod's output drops a `__proto__` key, which the schema then never sees).
 *
 * - Only a document's own keys are settings: a key named like a member every object has
 *   (`__proto__`, `constructor`, `toString`, ...) is unknown wherever it stands.
 * - No value holds a credential. Every value the stack is configured with ends up in a file
 *   others read: the workflow committed to GitHub, a host's nix.conf, NixOS modules and scripts,
 *   a bucket policy, a stack output. Secrets are `{secure}` slots, which are never read here.
 */
import { OBJECT_MEMBER_NAMES } from "../formats/names";
import { credentialShape } from "../formats/secretLike";

/** One problem at a key path of the document. */
export interface DocumentIssue {
    readonly path: PropertyKey[];
    readonly message: string;
}

/** What a key that is a member name of every object is told. */
export const OBJECT_MEMBER_MESSAGE = "unknown key; it is a name every JavaScript object has, never a setting";

/** What a value holding a credential is told (`what` says which kind, never the value). */
export function credentialMessage(what: string): string {
    return `holds what looks like ${what} (hidden); every value here is written into files others can read ` +
        "(workflows, host files and scripts, bucket policies, stack outputs); expected no credential: keep it in a secret set with `pulumi config set --secret`";
}

/** Whether `value` is a secret slot as the stack file spells it (`{secure: CIPHERTEXT}`). */
export function isSecretSlot(value: unknown): boolean {
    return typeof value === "object" && value !== null && !Array.isArray(value) && Object.hasOwn(value, "secure");
}

/** The problems of `doc` by its own keys and values, at the paths users write them. */
export function documentIssues(doc: unknown): DocumentIssue[] {
    const found: DocumentIssue[] = [];
    // A value reached twice (a YAML alias, a shared object) was checked where it was first seen.
    const seen = new WeakSet<object>();
    const walk = (value: unknown, path: PropertyKey[]): void => {
        if (typeof value === "object" && value !== null) {
            if (seen.has(value)) {
                return;
            }
            seen.add(value);
        }
        if (typeof value === "string") {
            const credential = credentialShape(value);
            if (credential !== undefined) {
                found.push({ path, message: credentialMessage(credential) });
            }
        } else if (Array.isArray(value)) {
            value.forEach((item, index) => walk(item, [...path, index]));
        } else if (typeof value === "object" && value !== null && !isSecretSlot(value)) {
            for (const key of Object.keys(value)) {
                const at = [...path, key];
                const credential = credentialShape(key);
                if (OBJECT_MEMBER_NAMES.has(key)) {
                    found.push({ path: at, message: OBJECT_MEMBER_MESSAGE });
                } else if (credential !== undefined) {
                    found.push({ path: at, message: credentialMessage(credential) });
                }
                walk((value as Record<string, unknown>)[key], at);
            }
        }
    };
    walk(doc, []);
    return found;
}

/**
 * `issues` plus the document's own problems at paths none of them covers: a value the schema
 * already refused (at its path or inside it) is reported once, by the schema.
 */
export function withDocumentIssues<I extends { readonly path: readonly PropertyKey[] }>(issues: readonly I[], doc: unknown): (I | DocumentIssue)[] {
    const covers = (issue: I, path: readonly PropertyKey[]) => path.every((segment, index) => issue.path[index] === segment);
    return [...issues, ...documentIssues(doc).filter((own) => !issues.some((issue) => covers(issue, own.path)))];
}

/**
 * The files among `files` that hold a credential, as `TARGET (what it looks like)`: the last
 * check before rendered files are shown or written, where secrets are placeholders.
 */
export function filesWithCredentials(files: readonly { readonly target: string; readonly content: string }[]): string[] {
    return files.flatMap(({ target, content }) => {
        const credential = credentialShape(content);
        return credential === undefined ? [] : [`${target} (${credential})`];
    });
}
