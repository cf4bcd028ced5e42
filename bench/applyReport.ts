import { OpMap } from "@pulumi/pulumi/automation";
import { Step, STEPS, Trial } from "./applyFleet";
import { duration, ratio, sig3 } from "./format";
import { ResultRow } from "./part";
import { fitLine, LineFit, median } from "./stats";

/** Every trial of one fleet size. */
export interface SizeResult {
    readonly hosts: number;
    readonly trials: readonly Trial[];
}

/**
 * SSH sessions per host the design needs at the least: the run's read of the host, then one per
 * remote command that must run. First up: the read, settings, netrc, verify. No-op: the read
 * alone (docs/hosts.md, "Operating the fleet"). Rotation: the read, netrc and verify.
 */
export const DESIGN_SESSIONS: Readonly<Record<Step, number>> = { first: 4, noop: 1, rotation: 3 };

/** Resources each step updates per host: none in a no-op up; the netrc and verify commands on a rotation. */
const DESIGN_UPDATES: Readonly<Record<"noop" | "rotation", number>> = { noop: 0, rotation: 2 };

const STEP_LABEL: Readonly<Record<Step, string>> = { first: "first up", noop: "no-op up", rotation: "rotation up" };
const OP_LABEL: Readonly<Record<string, string>> = { create: "created", update: "updated", delete: "deleted", replace: "replaced", same: "same" };
const OP_ORDER = ["create", "update", "replace", "delete", "same"];

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
const stepMs = (size: SizeResult, step: Step) => median(size.trials.map((t) => t.steps[step].ms));

/** Every host's session count in every trial of the size, for the step. */
function sessions(size: SizeResult, step: Step): number[] {
    return size.trials.flatMap((t) => [...t.steps[step].sessions]);
}

/** `median (min–max)`, or one number when every host agreed. */
function sessionsLabel(values: readonly number[]): string {
    const [min, max] = [Math.min(...values), Math.max(...values)];
    return min === max ? `${min}` : `${sig3(median(values))} (${min}–${max})`;
}

function changesLabel(changes: OpMap): string {
    const ops = Object.entries(changes).filter(([, n]) => (n ?? 0) > 0);
    ops.sort(([a], [b]) => (OP_ORDER.indexOf(a) + 1 || 99) - (OP_ORDER.indexOf(b) + 1 || 99));
    return ops.length === 0 ? "no resources" : ops.map(([op, n]) => `${n} ${OP_LABEL[op] ?? op}`).join(", ");
}

/** The engine's summaries of the step across trials: one label, or each variant when they differ. */
function changes(size: SizeResult, step: Step): string {
    const labels = [...new Set(size.trials.map((t) => changesLabel(t.steps[step].changes)))];
    return labels.join(" / ");
}

/** One row per fleet size and step; the first up is compared with one host's, the others with the first up. */
export function rows(sizes: readonly SizeResult[]): ResultRow[] {
    const single = sizes.find((s) => s.hosts === 1);
    return sizes.flatMap((size) =>
        STEPS.map((step): ResultRow => {
            const reference =
                step !== "first"
                    ? { label: "first up", ms: stepMs(size, "first") }
                    : size.hosts !== 1 && single !== undefined
                      ? { label: "first up, 1 host", ms: stepMs(single, "first") }
                      : undefined;
            const subject = stepMs(size, step);
            return {
                part: "apply",
                case: `${plural(size.hosts, "host")}: ${changes(size, step)}; SSH sessions/host ${sessionsLabel(sessions(size, step))}`,
                subject: STEP_LABEL[step],
                subjectValue: duration(subject),
                reference: reference?.label ?? "—",
                referenceValue: reference === undefined ? "—" : duration(reference.ms),
                ratio: reference === undefined ? "—" : ratio(subject / reference.ms),
                memory: "—",
                runs: plural(size.trials.length, "run"),
            };
        }),
    );
}

function fit(sizes: readonly SizeResult[], step: Step): LineFit {
    return fitLine(
        sizes.map((s) => s.hosts),
        sizes.map((s) => stepMs(s, step)),
    );
}

/**
 * The per-host slopes, and what a session adds: a host's cost beyond a no-op up's per-host cost
 * (the engine's own and the read), divided by the sessions the step opened beyond it.
 */
function slopeFindings(sizes: readonly SizeResult[], parallelism: string): string[] {
    const fits = Object.fromEntries(STEPS.map((step) => [step, fit(sizes, step)])) as Record<Step, LineFit>;
    const line = (step: Step) => `${STEP_LABEL[step]} ${duration(fits[step].slope)} per host (a = ${duration(fits[step].intercept)}, R² = ${fits[step].r2.toFixed(3)})`;
    const perSession = (step: "first" | "rotation") => duration((fits[step].slope - fits.noop.slope) / (DESIGN_SESSIONS[step] - DESIGN_SESSIONS.noop));
    return [
        `apply time ≈ a + b·hosts (engine parallelism ${parallelism}): ${STEPS.map(line).join("; ")}`,
        `beyond a no-op up's ${duration(fits.noop.slope)} per host, each further SSH session adds ≈ ${perSession("first")} in a first up and ≈ ${perSession("rotation")} in a rotation ` +
            `(handshake and script, settings and verify also running Nix; the engine's step and checkpoint included): the hosts' scripts run on this machine's cores, next to the engine`,
    ];
}

/** Where the measured sessions differ from the design's minimum, per step; empty when they match. */
function sessionGaps(sizes: readonly SizeResult[]): string[] {
    return STEPS.flatMap((step) => {
        const off = sizes.filter((size) => sessions(size, step).some((n) => n !== DESIGN_SESSIONS[step]));
        return off.map((size) => `${STEP_LABEL[step]} at ${plural(size.hosts, "host")}: ${sessionsLabel(sessions(size, step))} sessions per host, not ${DESIGN_SESSIONS[step]}`);
    });
}

/** Whether every no-op up changed nothing, and every rotation updated only each host's netrc and verify. */
function changeGaps(sizes: readonly SizeResult[]): string[] {
    const gaps: string[] = [];
    for (const size of sizes) {
        for (const trial of size.trials) {
            for (const step of ["noop", "rotation"] as const) {
                const ops = Object.entries(trial.steps[step].changes).filter(([op, n]) => op !== "same" && (n ?? 0) > 0);
                const expected = DESIGN_UPDATES[step] === 0 ? [] : [["update", DESIGN_UPDATES[step] * size.hosts]];
                if (JSON.stringify(ops) !== JSON.stringify(expected)) {
                    gaps.push(`${STEP_LABEL[step]} at ${plural(size.hosts, "host")} reported ${changesLabel(trial.steps[step].changes)}`);
                }
            }
        }
    }
    return [...new Set(gaps)];
}

export function findings(sizes: readonly SizeResult[], parallelism: string): string[] {
    const out: string[] = [];
    if (sizes.length >= 2) {
        out.push(...slopeFindings(sizes, parallelism));
    }
    const largest = sizes[sizes.length - 1];
    const sessionOff = sessionGaps(sizes);
    out.push(
        sessionOff.length === 0
            ? `SSH sessions per host, every host in every run: first up ${DESIGN_SESSIONS.first}, no-op up ${DESIGN_SESSIONS.noop}, rotation up ${DESIGN_SESSIONS.rotation}: the design's minimum`
            : `SSH sessions per host differ from the design's minimum: ${sessionOff.join("; ")}`,
    );
    out.push(
        "why that is the minimum: each remote command is one SSH session, and a host has three (settings, netrc for a private cache, verify, run in that order); " +
            "every preview and up first reads each host (one session) and changes a command's input only when the host drifted (`cachix use`, an edited file, a daemon not restarted), so a no-op up opens that one session; " +
            "the token is only the netrc command's stdin, in neither the settings nor the verify command's inputs, so a rotation adds the netrc command and verify after it; " +
            "merging commands would save first-up sessions only by making every rotation rerun the verify script too",
    );
    const changeOff = changeGaps(sizes);
    out.push(
        changeOff.length === 0
            ? `changes: every no-op up changed nothing; every rotation updated exactly two resources per host (netrc and verify), the rest same`
            : `changes off target: ${changeOff.join("; ")}`,
    );
    const floor = stepMs(largest, "noop");
    out.push(
        `a no-op up with ${plural(largest.hosts, "host")} takes ${duration(floor)}: the engine's own cost (CLI start, program run, diff, checkpoint) and one read per host, the floor of every up; ` +
            `the rotation adds ${duration(stepMs(largest, "rotation") - floor)} for ${largest.hosts} netrc sessions`,
    );
    return out;
}

export function method(parallelism: string): string[] {
    return [
        "Apply cost: the real engine (the pinned `pulumi` CLI through the Automation API, the program inline, local file state, passphrase secrets, the command provider plugin) against N real builder hosts on 127.0.0.1: one sshd each, own port, host key, client key and Nix config dir, all of kind `nix`, logging in as root.",
        "Stack: one private cache (a real local binary cache, token-protected), no cache.nixos.org, no GitHub, no mirror; so per host a NixHost with three remote commands (settings, netrc, verify), plus the stack, CacheSetup and CacheIdentity.",
        `Per trial, fresh hosts and a fresh stack: first \`up\`; an \`up\` with nothing changed; then \`cachixAuthToken\` set to a new value (the cache accepts only it) and \`up\` again. Engine parallelism: the CLI's default (${parallelism} here).`,
        "Timed: `stack.up` from start to return (CLI start, program, steps, checkpoint); setting config is not timed. Changes are the engine's own summary of the update (from the stack's history).",
        "SSH sessions per host: the `Accepted publickey` lines its sshd logged during the up (one per login); the table gives the median over hosts and runs, with min–max when hosts differed.",
        "After each rotation every host's netrc must hold the new token (read from its file, no SSH); once per fleet size, one host then substitutes the cache's path with it.",
        "Figures are medians over trials; the per-host cost is the least-squares slope of the median time against N.",
    ];
}
