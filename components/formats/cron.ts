import { Rule } from "./rule";

/** One cron field's range and the names it accepts. */
interface CronField {
    readonly min: number;
    readonly max: number;
    readonly names?: readonly string[];
}

/** GitHub's five fields: minute, hour, day of month, month (JAN-DEC), day of week (SUN-SAT, 0-6). */
const FIELDS: readonly CronField[] = [
    { min: 0, max: 59 },
    { min: 0, max: 23 },
    { min: 1, max: 31 },
    { min: 1, max: 12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] },
    { min: 0, max: 6, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

/**
 * A schedule as GitHub Actions accepts it: POSIX cron, five fields separated by single spaces,
 * each `*`, a value, a name (months and weekdays), a range `A-B` with A <= B, a step `X/N`, or
 * a comma-separated list of those. No `@daily`-style shortcuts, which GitHub does not run.
 */
export const cronRule: Rule = (value) => {
    const parts = value.split(" ");
    const ok = parts.length === FIELDS.length && parts.every((part, i) => part.split(",").every((item) => cronItemOk(item, FIELDS[i])));
    return ok ? undefined : 'a five-field cron expression such as "51 2 * * *" (minute 0-59, hour 0-23, day 1-31, month 1-12 or JAN-DEC, weekday 0-6 or SUN-SAT)';
};

function cronItemOk(item: string, field: CronField): boolean {
    const [base, step, ...extra] = item.split("/");
    if (extra.length > 0 || (step !== undefined && !(/^\d{1,2}$/.test(step) && Number(step) >= 1 && Number(step) <= field.max))) {
        return false;
    }
    if (base === "*") {
        return true;
    }
    const [from, to, ...more] = base.split("-");
    const start = cronValue(from, field);
    const end = to === undefined ? start : cronValue(to, field);
    return more.length === 0 && start !== undefined && end !== undefined && start <= end;
}

function cronValue(text: string, field: CronField): number | undefined {
    const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
    if (named >= 0) {
        return named + field.min;
    }
    const n = /^\d{1,2}$/.test(text) ? Number(text) : NaN;
    return n >= field.min && n <= field.max ? n : undefined;
}
