/**
 * The building blocks of the stack schema. Each one pairs a zod type with the project's
 * message conventions (`is required; expected ...`, `"x" is not valid; expected ...`,
 * `unknown key; did you mean ...`), so every field of every section reads the same way.
 */
import { z } from "zod";
import { PatternRule, Rule } from "../formats/rule";
import { describeValue } from "./redact";

/**
 * What the components' argument types are generated from (`npm run args`), beside the schema:
 * each field's one description, and the names the types get.
 */
export interface ArgsMeta {
    /** The field's description: its doc comment in the arguments, its hover text in editors. */
    readonly description?: string;
    /** The name of the interface (an object) or enum (choices) the arguments give it. */
    readonly argsType?: string;
    /** That type's own description, when the field's does not say what the type is. */
    readonly typeDescription?: string;
    /** The argument's type when the schema's input is wider (a flag also takes `"true"`). */
    readonly tsType?: string;
    /** The argument may be an Output (`pulumi.Input<T>`): it is checked where it resolves. */
    readonly input?: boolean;
    /** Records: what their keys are, as the arguments' index signature names them. */
    readonly recordKey?: string;
    /** Enums: each choice's description. */
    readonly members?: Readonly<Record<string, string>>;
}

/** The keys of {@link ArgsMeta} that are not JSON Schema's. */
export const ARGS_ONLY_META = ["argsType", "typeDescription", "tsType", "input", "recordKey", "members"] as const;

/** Options of {@link text}. */
export interface TextOptions {
    /** What to say when the field is missing; the field is optional without it. */
    readonly required?: string;
    /** Human description for the JSON Schema (and editors' hover text). */
    readonly description?: string;
}

/** A string that passes `rules` (patterns first, then functions, the first failure reported). */
export function text(rules: readonly (PatternRule | Rule)[], options: TextOptions = {}) {
    const show = describeValue;
    let schema = z.string({
        error: (iss) =>
            iss.input === undefined ? `is required; expected ${options.required ?? "a string"}` : `expected a string; got ${show(iss.input)}`,
    });
    for (const rule of rules) {
        if (typeof rule !== "function") {
            schema = schema.regex(rule.pattern, { error: (iss) => `${show(iss.input)} is not valid; expected ${rule.expected}` });
        }
    }
    const checks = rules.filter((rule): rule is Rule => typeof rule === "function");
    const checked = checks.length === 0
        ? schema
        : schema.superRefine((value, ctx) => {
              const expected = checks.map((check) => check(value)).find((e) => e !== undefined);
              if (expected !== undefined) {
                  ctx.addIssue({ code: "custom", message: `${show(value)} is not valid; expected ${expected}`, input: value });
              }
          }, { when: (payload) => payload.issues.length === 0 }); // one message per value: a pattern's, else a rule's
    return options.description ? checked.meta({ description: options.description }) : checked;
}

/** `true`/`false`, also as the strings `pulumi config set` writes. */
export function flag(description?: string) {
    const error = (iss: { input?: unknown }) => `expected true or false; got ${describeValue(iss.input)}`;
    const schema = z.union([z.boolean({ error }), z.enum(["true", "false"], { error }).transform((v) => v === "true")], { error });
    return schema.meta({ tsType: "boolean", ...(description ? { description } : {}) });
}

/** An integer within bounds, also as a numeric string. */
export function integer(min: number, max: number, description?: string) {
    const error = (iss: { input?: unknown }) => `expected an integer from ${min} to ${max}; got ${describeValue(iss.input)}`;
    const bounded = () => z.int({ error }).min(min, { error }).max(max, { error });
    const schema = z.union([bounded(), z.string({ error }).regex(/^-?\d+$/, { error }).transform(Number).pipe(bounded())], { error });
    return schema.meta({ tsType: "number", ...(description ? { description } : {}) });
}

/** One of `choices`. */
export function oneOf<const T extends readonly [string, ...string[]]>(
    choices: T,
    options: { required?: string; description?: string; argsType?: string; typeDescription?: string; members?: { readonly [K in T[number]]: string } } = {},
) {
    const schema = z.enum(choices, {
        error: (iss) =>
            iss.input === undefined && options.required
                ? `is required; expected ${options.required}`
                : `expected one of ${choices.join(", ")}; got ${describeValue(iss.input)}`,
    });
    const { description, argsType, typeDescription, members } = options;
    return schema.meta({ ...(description ? { description } : {}), ...(argsType ? { argsType, typeDescription, members } : {}) });
}

/** A list of `item`s; a single value is not taken for a list of one (it is usually a mistake). */
export function list<T extends z.ZodType>(item: T, options: { min?: number; required?: string; description?: string } = {}) {
    const schema = z
        .array(item, {
            error: (iss) => (iss.input === undefined && options.required ? `is required; expected ${options.required}` : `expected a list; got ${describeValue(iss.input)}`),
        })
        .min(options.min ?? 0, { error: (iss) => `expected at least ${options.min} item(s); got ${(iss.input as unknown[]).length}` });
    return options.description ? schema.meta({ description: options.description }) : schema;
}

/** Objects whose unknown keys are errors; the JSON Schema says so with `additionalProperties: false`. */
export const closedObjects = new WeakSet<z.ZodType>();

/**
 * An object with the fields of `shape`. Unknown keys are reported one by one, with a
 * suggestion for a near miss; an empty value (`key:` in YAML) counts as absent.
 */
export function section<S extends z.core.$ZodLooseShape>(
    shape: S,
    options: { required?: string; description?: string; argsType?: string; checks?: readonly z.core.$ZodCheck<never>[] } = {},
) {
    const allowed = Object.keys(shape);
    const object = z
        .looseObject(shape, {
            error: (iss) =>
                iss.input === undefined && options.required
                    ? `is required; expected ${options.required}`
                    : `expected an object with keys ${allowed.join(", ")}; got ${describeValue(iss.input)}`,
        })
        .superRefine((value, ctx) => reportUnknownKeys(value, allowed, ctx), { when: isObjectPayload })
        // Checks go on the object itself: zod skips those on a wrapper (the pipe) once a field failed.
        .check(...((options.checks ?? []) as z.core.$ZodCheck<unknown>[]));
    closedObjects.add(object);
    // Unknown keys are errors, so a valid value has only the known ones: say so in its type.
    const schema = z.preprocess(withoutNulls, object.transform((value) => value as KnownKeys<typeof value>));
    const { description, argsType } = options;
    return schema.meta({ ...(description ? { description } : {}), ...(argsType ? { argsType } : {}) });
}

/** `T` without its index signature. */
export type KnownKeys<T> = { [K in keyof T as string extends K ? never : K]: T[K] };

/** Reports each key of `value` not in `allowed` at its own path (under `at`). */
export function reportUnknownKeys(value: object, allowed: readonly string[], ctx: z.core.$RefinementCtx, at: readonly PropertyKey[] = []): void {
    for (const key of Object.keys(value)) {
        if (!allowed.includes(key)) {
            const near = nearestKey(key, allowed);
            const hint = near ? `did you mean "${near}"? ` : "";
            ctx.addIssue({ code: "custom", path: [...at, key], message: `unknown key; ${hint}expected one of: ${allowed.join(", ")}`, input: undefined });
        }
    }
}

/**
 * A rule across fields, run even when some fields are invalid so that every problem is
 * reported at once. It sees the fields as far as they parsed: each one is checked before use.
 */
export function across(check: (value: Readonly<Record<string, unknown>>, ctx: z.core.$RefinementCtx) => void) {
    return z.superRefine((value: unknown, ctx) => check(value as Record<string, unknown>, ctx), { when: isObjectPayload });
}

/** Reports each repeated `keyOf(item)` among the valid items of a list, at the list's path. */
export function noDuplicates<T>(keyOf: (item: T) => string | undefined, what: string, show: (key: string) => string = describeValue) {
    return z.superRefine<T[]>((items, ctx) => {
        const seen = new Set<string>();
        for (const item of items) {
            const key = keyOf(item);
            if (key !== undefined && seen.has(key)) {
                ctx.addIssue({ code: "custom", message: `duplicate ${what} ${show(key)}; each must appear once`, input: undefined });
            }
            if (key !== undefined) {
                seen.add(key);
            }
        }
    }, { when: (payload) => Array.isArray(payload.value) });
}

function isObjectPayload(payload: { value: unknown }): boolean {
    return typeof payload.value === "object" && payload.value !== null && !Array.isArray(payload.value);
}

/** YAML's `key:` with no value is null; it means the key is not set. */
function withoutNulls(value: unknown): unknown {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return value;
    }
    return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== null));
}

function nearestKey(key: string, allowed: readonly string[]): string | undefined {
    let best: { name: string; distance: number } | undefined;
    for (const name of allowed) {
        const distance = editDistance(key.toLowerCase(), name.toLowerCase());
        if (distance <= 2 && (!best || distance < best.distance)) {
            best = { name, distance };
        }
    }
    return best?.name;
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
            current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
        }
        previous = current;
    }
    return previous[b.length];
}
