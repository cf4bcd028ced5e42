/**
 * Checks of values other systems read (URLs, addresses, paths, cron, names), each by the rules
 * of the system that uses it. A check returns what was expected when the value is wrong.
 */

/** A check on a string: returns what was expected when the value is wrong, else undefined. */
export type Rule = (value: string) => string | undefined;

/** A rule from a pattern; the pattern also goes into the JSON Schema. */
export interface PatternRule {
    /** The whole value must match it. */
    readonly pattern: RegExp;
    /** What was expected, for the message. */
    readonly expected: string;
}
