import { keysNeededOffline } from "./cacheSection";
import { PROJECT_NAME, StackModel } from "./model";
import { parseStack } from "./parse";
import { ConfigProblem, ConfigValidationError, problemsOfIssues } from "./problems";
import { stackSchema } from "./stackSchema";

/** Stack configuration as it arrives, before validation. */
export interface RawStackConfig {
    /** Values keyed by full config key (`nix-cache:cache`); structured values may be JSON text. */
    readonly values: Readonly<Record<string, unknown>>;
    /** Full keys of the values that are secrets. */
    readonly secretKeys: ReadonlySet<string>;
    /** Problems found while reading the values (a key spelled twice in a file), reported with the rest. */
    readonly problems?: readonly ConfigProblem[];
}

/** How secrets are treated while loading. */
export interface LoadOptions {
    /**
     * `apply` (the Pulumi program): secrets the stack needs must be set.
     * `render`: missing secrets are fine, placeholders stand in for them.
     */
    readonly mode: "apply" | "render";
    /** `render` mode: the caller reads missing public keys from Cachix itself (verify does). */
    readonly keysFromCachix?: boolean;
}

const schemas = {
    apply: stackSchema({ secretsRequired: true }),
    render: stackSchema({ secretsRequired: false }),
};

/**
 * Validates the whole stack configuration in one pass and returns the typed model.
 * Throws a {@link ConfigValidationError} listing every problem; nothing is created before.
 */
export function loadStackModel(raw: RawStackConfig, options: LoadOptions): StackModel {
    const result = parseStack(schemas[options.mode], configDocument(raw));
    const problems = [...(raw.problems ?? []), ...(result.success ? [] : problemsOfIssues(result.issues))];
    if (!result.success || problems.length > 0) {
        throw new ConfigValidationError(problems);
    }
    // Only the program reads the keys from Cachix; what renders offline needs them in the stack.
    if (options.mode === "render" && options.keysFromCachix !== true && result.data.cache.publicKeys.length === 0) {
        throw new ConfigValidationError([{ path: `${PROJECT_NAME}:cache.publicKeys`, message: keysNeededOffline("render works offline") }]);
    }
    return result.data;
}

/**
 * The project's keys without their namespace, as the schema reads them. A secret's value never
 * reaches the schema: it stands as `{secure}`, as in the stack file, so no rule can print it.
 */
export function configDocument(raw: RawStackConfig): Record<string, unknown> {
    // No prototype: a `__proto__` key is then an own key like any other, reported as unknown.
    const doc: Record<string, unknown> = Object.create(null);
    for (const [fullKey, value] of Object.entries(raw.values)) {
        const [namespace, ...rest] = fullKey.split(":");
        if (namespace === PROJECT_NAME) {
            doc[rest.join(":")] = raw.secretKeys.has(fullKey) ? { secure: "(secret)" } : parseJsonText(value);
        }
    }
    return doc;
}

/** Top-level structured config reaches a Pulumi program as JSON text; accept both forms. */
function parseJsonText(value: unknown): unknown {
    if (typeof value !== "string" || !/^\s*[[{]/.test(value)) {
        return value;
    }
    try {
        return JSON.parse(value) as unknown;
    } catch {
        return value;
    }
}
