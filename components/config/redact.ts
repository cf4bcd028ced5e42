/** How config values and keys appear in messages: secret-looking ones are described, never printed. */
import { secretLikeness } from "../formats/secretLike";

/** How deep a value is searched; a value nested deeper is not shown at all. */
const MAX_DEPTH = 20;

/** Bytes as a value can hold them: a Buffer or typed array, an ArrayBuffer, or a list of byte numbers. */
function bytesOf(value: unknown): Uint8Array | undefined {
    if (ArrayBuffer.isView(value)) {
        return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    }
    if (value instanceof ArrayBuffer) {
        return new Uint8Array(value);
    }
    if (Array.isArray(value) && value.length > 0 && value.every((item) => Number.isInteger(item) && item >= 0 && item <= 255)) {
        return Uint8Array.from(value as number[]);
    }
    return undefined;
}

/**
 * The first secret-looking thing in a value, searched through: strings, keys, bytes read as
 * text (UTF-8 and base64, so neither a decoded nor a raw key goes unseen), map and set entries.
 */
function secretLikenessDeep(value: unknown, depth = 0): string | undefined {
    if (typeof value === "string") {
        return secretLikeness(value);
    }
    if (typeof value !== "object" || value === null) {
        return undefined;
    }
    if (depth > MAX_DEPTH) {
        return "a value nested too deep to check";
    }
    const bytes = bytesOf(value);
    if (bytes !== undefined) {
        const buffer = Buffer.from(bytes);
        return secretLikeness(buffer.toString("utf8")) ?? secretLikeness(buffer.toString("base64"));
    }
    const entries: [unknown, unknown][] = value instanceof Map ? [...value.entries()] : value instanceof Set ? [...value].map((v) => [undefined, v]) : Object.entries(value);
    for (const [key, item] of entries) {
        const found = secretLikenessDeep(key, depth + 1) ?? secretLikenessDeep(item, depth + 1);
        if (found !== undefined) {
            return found;
        }
    }
    return undefined;
}

const MAX_SHOWN = 80;

/** `text` cut to about {@link MAX_SHOWN} characters, saying how long it was; `show` prints a part. */
function shortened(text: string, show: (part: string) => string = (part) => part): string {
    return text.length > MAX_SHOWN ? `${show(text.slice(0, MAX_SHOWN - 8))}... (${text.length} characters)` : show(text);
}

/** A short, printable rendering of a config value for messages; secret-looking values and bytes are described. */
export function describeValue(value: unknown): string {
    if (value === undefined) {
        return "nothing";
    }
    const looks = secretLikenessDeep(value);
    if (looks !== undefined) {
        return `a value that looks like ${looks} (hidden)`;
    }
    const bytes = typeof value === "object" && value !== null && !Array.isArray(value) ? bytesOf(value) : undefined;
    if (bytes !== undefined) {
        return `binary data (${bytes.length} bytes)`;
    }
    return typeof value === "string" ? shortened(value, (part) => JSON.stringify(part)) : shortened(safeJson(value));
}

/** A config key (a path segment) as printed: a secret-looking key is replaced. */
export function describeKey(key: string): string {
    return secretLikeness(key) ? "<hidden>" : shortened(key);
}

function safeJson(value: unknown): string {
    try {
        return JSON.stringify(value) ?? String(value);
    } catch {
        return String(value);
    }
}
