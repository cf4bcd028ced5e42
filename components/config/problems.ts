/** One thing wrong with the stack configuration. */
export interface ConfigProblem {
    /** The config key path, e.g. `nix-cache:hosts[0].address`. */
    readonly path: string;
    /** What is wrong and what was expected; never contains a secret's value. */
    readonly message: string;
}

/** Thrown when the stack configuration is invalid; carries every problem found in one pass. */
export class ConfigValidationError extends Error {
    /** Every problem found, in the order the configuration was read. */
    readonly problems: readonly ConfigProblem[];

    constructor(problems: readonly ConfigProblem[]) {
        super(formatProblems(problems));
        this.name = "ConfigValidationError";
        this.problems = problems;
    }
}

/** Formats problems as the multi-line message users see. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
    const noun = problems.length === 1 ? "problem" : "problems";
    const lines = problems.map((p) => `  - ${p.path}: ${p.message}`);
    return [`Invalid stack configuration (${problems.length} ${noun}):`, ...lines].join("\n");
}

/** Collects problems while the configuration is read, so all of them are reported at once. */
export class Problems {
    private readonly found: ConfigProblem[] = [];

    /** Records a problem at `path`. */
    add(path: string, message: string): void {
        this.found.push({ path, message });
    }

    /** The problems found so far. */
    get list(): readonly ConfigProblem[] {
        return this.found;
    }

    /** Throws a {@link ConfigValidationError} if anything was found. */
    throwIfAny(): void {
        if (this.found.length > 0) {
            throw new ConfigValidationError(this.found);
        }
    }
}

/** A short, printable rendering of a (non-secret) config value for error messages. */
export function describeValue(value: unknown): string {
    if (value === undefined) {
        return "nothing";
    }
    const text = typeof value === "string" ? JSON.stringify(value) : safeJson(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function safeJson(value: unknown): string {
    try {
        return JSON.stringify(value) ?? String(value);
    } catch {
        return String(value);
    }
}
