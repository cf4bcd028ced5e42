/** The messages between the program-scale part and its child processes. */

/** What the parent asks for. */
export interface ChildRequest {
    /** `program`: `new CacheSetup(...)`; `baseline`: the same custom resources, registered plainly. */
    readonly kind: "program" | "baseline";
    readonly hosts: number;
    readonly repos: number;
    /** Baseline only: how many custom resources of each type token to register. */
    readonly customTypes?: Readonly<Record<string, number>>;
}

/** What the child reports on its last stdout line, after {@link RESULT_PREFIX}. */
export interface ChildResult {
    readonly kind: ChildRequest["kind"];
    /** Model validation (program only; not part of `constructMs`). */
    readonly validateMs: number;
    /** From the first constructor call until the runtime's RPC queue has drained. */
    readonly constructMs: number;
    readonly custom: number;
    readonly component: number;
    readonly customTypes: Record<string, number>;
    /** RSS just before construction (modules loaded, heap collected), and the process's peak. */
    readonly rssBeforeMb: number;
    readonly peakRssMb: number;
}

export const RESULT_PREFIX = "BENCH-RESULT ";
