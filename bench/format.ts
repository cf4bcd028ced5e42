/** Number formatting shared by the parts, so the table reads the same everywhere. */

/** Three significant digits, without exponent notation for the sizes seen here. */
export function sig3(value: number): string {
    if (!Number.isFinite(value)) {
        return String(value);
    }
    if (value === 0) {
        return "0";
    }
    const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value))));
    return value.toFixed(Math.min(digits, 6));
}

/** Milliseconds, always: one unit per column keeps the table comparable at a glance. */
export function duration(ms: number): string {
    return `${sig3(ms)} ms`;
}

/** A ratio such as `2.71×`. */
export function ratio(value: number): string {
    return `${sig3(value)}×`;
}
