import { describeValue, Problems } from "./problems";

/**
 * A check on a string value: returns what was expected when the value is wrong, or
 * `undefined` when it is fine.
 */
export type StringRule = (value: string) => string | undefined;

/** Options for reading one string field. */
export interface StringFieldOptions {
    /** Extra check run on a present value. */
    readonly rule?: StringRule;
    /** The field holds a secret: its value never appears in a message. */
    readonly secret?: boolean;
}

/** Options for reading a list field. */
export interface ListFieldOptions {
    /** Fewest items accepted. */
    readonly minItems?: number;
}

/** Options for reading an integer field. */
export interface IntegerFieldOptions {
    readonly min?: number;
    readonly max?: number;
}

/**
 * Reads `value` at `path` as an object whose keys must all be in `allowed`.
 * Records a problem and returns `undefined` when it is not an object; records one problem
 * per unknown key (with a suggestion for near-misses) and still returns a reader.
 */
export function readObject(
    problems: Problems,
    path: string,
    value: unknown,
    allowed: readonly string[],
): ObjectReader | undefined {
    const parsed = parseJsonString(value);
    if (!isPlainObject(parsed)) {
        problems.add(path, `expected an object with keys ${allowed.join(", ")}; got ${describeValue(parsed)}`);
        return undefined;
    }
    for (const key of Object.keys(parsed)) {
        if (!allowed.includes(key)) {
            const near = nearestKey(key, allowed);
            const hint = near ? `did you mean "${near}"? ` : "";
            problems.add(joinPath(path, key), `unknown key; ${hint}expected one of: ${allowed.join(", ")}`);
        }
    }
    return new ObjectReader(problems, path, parsed);
}

/** Typed access to the fields of one config object; every misuse becomes a recorded problem. */
export class ObjectReader {
    constructor(
        readonly problems: Problems,
        readonly path: string,
        readonly fields: Readonly<Record<string, unknown>>,
    ) {}

    /** Whether the field is present (not undefined or null). */
    has(key: string): boolean {
        return this.fields[key] !== undefined && this.fields[key] !== null;
    }

    /** The path of a field, for messages and for nested readers. */
    pathOf(key: string): string {
        return joinPath(this.path, key);
    }

    /** The raw value of a field, for nested readers. */
    raw(key: string): unknown {
        return this.has(key) ? this.fields[key] : undefined;
    }

    /** A string field that must be present. */
    requiredString(key: string, options: StringFieldOptions = {}): string | undefined {
        if (!this.has(key)) {
            this.problems.add(this.pathOf(key), "is required; expected a string");
            return undefined;
        }
        return this.optionalString(key, options);
    }

    /** A string field that may be absent. */
    optionalString(key: string, options: StringFieldOptions = {}): string | undefined {
        if (!this.has(key)) {
            return undefined;
        }
        return checkString(this.problems, this.pathOf(key), this.fields[key], options);
    }

    /** A boolean field (accepts `true`/`false` and the strings "true"/"false"). */
    optionalBoolean(key: string): boolean | undefined {
        if (!this.has(key)) {
            return undefined;
        }
        const value = this.fields[key];
        if (typeof value === "boolean") {
            return value;
        }
        if (value === "true" || value === "false") {
            return value === "true";
        }
        this.problems.add(this.pathOf(key), `expected true or false; got ${describeValue(value)}`);
        return undefined;
    }

    /** An integer field (accepts numbers and numeric strings) within optional bounds. */
    optionalInteger(key: string, options: IntegerFieldOptions = {}): number | undefined {
        if (!this.has(key)) {
            return undefined;
        }
        const value = this.fields[key];
        const n = typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : value;
        const min = options.min ?? Number.MIN_SAFE_INTEGER;
        const max = options.max ?? Number.MAX_SAFE_INTEGER;
        if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
            this.problems.add(this.pathOf(key), `expected an integer from ${min} to ${max}; got ${describeValue(value)}`);
            return undefined;
        }
        return n;
    }

    /** A field whose value must be one of `choices`. */
    optionalEnum<T extends string>(key: string, choices: readonly T[]): T | undefined {
        if (!this.has(key)) {
            return undefined;
        }
        const value = this.fields[key];
        if (typeof value === "string" && (choices as readonly string[]).includes(value)) {
            return value as T;
        }
        this.problems.add(this.pathOf(key), `expected one of ${choices.join(", ")}; got ${describeValue(value)}`);
        return undefined;
    }

    /** A list of strings; a single string is not accepted (it is usually a mistake). */
    stringList(key: string, options: StringFieldOptions & ListFieldOptions = {}): string[] | undefined {
        return this.list(key, options, (path, item) => checkString(this.problems, path, item, options));
    }

    /**
     * A list field whose items are read by `readItem`; items that fail are dropped after
     * their problems are recorded. Returns `undefined` when absent.
     */
    list<T>(
        key: string,
        options: ListFieldOptions,
        readItem: (path: string, item: unknown) => T | undefined,
    ): T[] | undefined {
        if (!this.has(key)) {
            return undefined;
        }
        return readList(this.problems, this.pathOf(key), this.fields[key], options, readItem);
    }
}

/**
 * Reads `value` at `path` as a list whose items are read by `readItem`; items that fail are
 * dropped after their problems are recorded.
 */
export function readList<T>(
    problems: Problems,
    path: string,
    value: unknown,
    options: ListFieldOptions,
    readItem: (path: string, item: unknown) => T | undefined,
): T[] | undefined {
    const parsed = parseJsonString(value);
    if (!Array.isArray(parsed)) {
        problems.add(path, `expected a list; got ${describeValue(parsed)}`);
        return undefined;
    }
    if (parsed.length < (options.minItems ?? 0)) {
        problems.add(path, `expected at least ${options.minItems} item(s); got ${parsed.length}`);
    }
    const items: T[] = [];
    parsed.forEach((item, index) => {
        const read = readItem(`${path}[${index}]`, item);
        if (read !== undefined) {
            items.push(read);
        }
    });
    return items;
}

/** Checks one string value at `path` against its options; returns it when valid. */
export function checkString(
    problems: Problems,
    path: string,
    value: unknown,
    options: StringFieldOptions = {},
): string | undefined {
    const shown = (v: unknown) => (options.secret ? "a secret value (hidden)" : describeValue(v));
    if (typeof value !== "string") {
        problems.add(path, `expected a string; got ${shown(value)}`);
        return undefined;
    }
    const expected = options.rule?.(value);
    if (expected !== undefined) {
        problems.add(path, `${shown(value)} is not valid; expected ${expected}`);
        return undefined;
    }
    return value;
}

/** Reports duplicates of `keyOf(item)` among `items` at `path`. */
export function reportDuplicates<T>(
    problems: Problems,
    path: string,
    items: readonly T[],
    keyOf: (item: T) => string,
    what: string,
): void {
    const seen = new Set<string>();
    for (const item of items) {
        const key = keyOf(item);
        if (seen.has(key)) {
            problems.add(path, `duplicate ${what} ${describeValue(key)}; each must appear once`);
        }
        seen.add(key);
    }
}

/** Joins a config path and a field name. */
export function joinPath(path: string, key: string): string {
    return `${path}.${key}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Top-level structured config reaches a Pulumi program as JSON text; accept both forms. */
function parseJsonString(value: unknown): unknown {
    if (typeof value !== "string" || !/^\s*[[{]/.test(value)) {
        return value;
    }
    try {
        return JSON.parse(value) as unknown;
    } catch {
        return value;
    }
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
