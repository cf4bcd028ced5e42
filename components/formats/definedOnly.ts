/** `value` without its undefined properties (an engine warns about them; a schema reads them as set). */
export function definedOnly<T extends Record<string, unknown>>(value: T): Partial<T> {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
