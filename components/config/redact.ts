/** How config values and keys appear in messages: secret-looking ones are described, never printed. */
import { secretLikeness } from "../formats/secretLike";

/** The first secret-looking string in a value, its keys included, searched through. */
function secretLikenessDeep(value: unknown, depth = 0): string | undefined {
    if (typeof value === "string") {
        return secretLikeness(value);
    }
    if (typeof value !== "object" || value === null || depth > 20) {
        return undefined;
    }
    for (const [key, item] of Object.entries(value)) {
        const found = secretLikenessDeep(key, depth + 1) ?? secretLikenessDeep(item, depth + 1);
        if (found !== undefined) {
            return found;
        }
    }
    return undefined;
}

const MAX_SHOWN = 80;

/** A short, printable rendering of a config value for messages; secret-looking values are described. */
export function describeValue(value: unknown): string {
    if (value === undefined) {
        return "nothing";
    }
    const looks = secretLikenessDeep(value);
    if (looks !== undefined) {
        return `a value that looks like ${looks} (hidden)`;
    }
    const text = typeof value === "string" ? JSON.stringify(value) : safeJson(value);
    return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 3)}...` : text;
}

/** A config key (a path segment) as printed: a secret-looking key is replaced. */
export function describeKey(key: string): string {
    return secretLikeness(key) ? "<hidden>" : key.length > MAX_SHOWN ? `${key.slice(0, MAX_SHOWN - 3)}...` : key;
}

function safeJson(value: unknown): string {
    try {
        return JSON.stringify(value) ?? String(value);
    } catch {
        return String(value);
    }
}
