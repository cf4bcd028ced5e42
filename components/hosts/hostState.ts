import { createHash } from "crypto";
import { parseVerifyReport, VerifyReport, VerifyStatus } from "./verifyReport";

/**
 * Deciding, from one read of a host, whether it is as declared. The read is the verify script
 * run with a salt (see sh/lib-state.sh); this part is pure, so every rule here is unit-tested.
 */

/** What the read of a host printed, and how it ended. */
export interface HostRead {
    /** The read script's exit status: 0 all in effect, 3 something drifted, else it failed. */
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** What one read of a host found. */
export interface HostState {
    /** The checks and the effective settings, as verify reports them. */
    readonly report: VerifyReport;
    /** The marker the settings command's last apply recorded on the host ("" when none was). */
    readonly converged: string;
    /** The same of the netrc command (private caches). */
    readonly netrcConverged: string;
    /** SHA-256 (hex) of the read's salt and the host's netrc token; undefined without either. */
    readonly netrcTokenDigest?: string;
}

/** The marker of a host found as declared and never applied with a marker before. */
export const IN_EFFECT = "in effect";

/** The longest marker: the reasons are for people, a preview line or two. */
const MARKER_LIMIT = 600;

const STATE = /^nix-cache-state (converged|netrc-converged|netrc-token) ?(.*)$/;

/** Parses the read's output: verify's report, and the `nix-cache-state` lines. */
export function parseHostState(stdout: string): HostState {
    let converged = "";
    let netrcConverged = "";
    let netrcTokenDigest: string | undefined;
    for (const line of stdout.split("\n")) {
        const state = STATE.exec(line);
        if (state?.[1] === "converged") {
            converged = state[2].trim();
        } else if (state?.[1] === "netrc-converged") {
            netrcConverged = state[2].trim();
        } else if (state?.[1] === "netrc-token" && /^[0-9a-f]{64}$/.test(state[2].trim())) {
            netrcTokenDigest = state[2].trim();
        }
    }
    return { report: parseVerifyReport(stdout), converged, netrcConverged, netrcTokenDigest };
}

/** The digest the host prints for `token` under `salt` (see nc_state_report). */
export function netrcTokenDigest(salt: string, token: string): string {
    return createHash("sha256").update(salt + token).digest("hex");
}

/**
 * Why the host is not as declared, in words (empty: it is). A drifted check is a reason (what
 * apply repairs: a managed file edited or missing, nix.conf's include no longer last, the
 * daemon not restarted since, the netrc missing or open to others); a `pending` one is not
 * (it waits for a rebuild or a restart nix-cache is told not to do). A netrc holding another
 * token than `declaredDigest` (the declared token's {@link netrcTokenDigest} under the read's
 * salt) is one. A read that failed is one too: apply then runs and names what stops it.
 */
export function driftReasons(read: HostRead, declaredDigest?: string): string[] {
    if (read.code !== 0 && read.code !== 3) {
        const said = read.stderr.trim().split("\n").filter((line) => line.trim() !== "").pop();
        return [`read: ${said ?? `the read of the host's state exited with status ${read.code}`}`];
    }
    const state = parseHostState(read.stdout);
    const reasons = state.report.checks.filter((check) => check.status === VerifyStatus.Drift).map((check) => `${check.item}: ${check.detail}`);
    const netrcOk = state.report.checks.some((check) => check.item === "netrc" && check.status === VerifyStatus.Ok);
    if (declaredDigest !== undefined && netrcOk && state.netrcTokenDigest !== undefined && state.netrcTokenDigest !== declaredDigest) {
        reasons.push("netrc: holds a token other than the declared one");
    }
    return reasons;
}

/** What the netrc command repairs: the reasons about the netrc (`netrc: ...`). */
export function isNetrcReason(reason: string): boolean {
    return reason.startsWith("netrc: ");
}

/** The markers of a host's commands in this run, from its read (see {@link convergeMarker}). */
export interface HostMarkers {
    /** The settings command's: every reason but the netrc's (a read that failed included). */
    readonly settings: string;
    /** The netrc command's: the netrc's reasons only, so declaring a cache never sends the token again. */
    readonly netrc: string;
}

/** The markers of both commands, from the reasons and what the host recorded. */
export function hostMarkers(reasons: readonly string[], state: Pick<HostState, "converged" | "netrcConverged">): HostMarkers {
    return {
        settings: convergeMarker(reasons.filter((reason) => !isNetrcReason(reason)), state.converged),
        netrc: convergeMarker(reasons.filter(isNetrcReason), state.netrcConverged),
    };
}

/**
 * The marker a host's command gets in this run: what the host recorded at its last apply
 * when it is as declared (so nothing changes), else the reasons, in one line (so the commands
 * run, and the preview says why). The same reasons as last time get " (again)": they must
 * differ from the value the commands already hold.
 */
export function convergeMarker(reasons: readonly string[], recorded: string): string {
    if (reasons.length === 0) {
        return recorded === "" ? IN_EFFECT : recorded;
    }
    let marker = `drift: ${reasons.join("; ")}`.replace(/\s+/g, " ");
    if (marker.length > MARKER_LIMIT) {
        marker = `${marker.slice(0, MARKER_LIMIT - 3)}...`;
    }
    return marker === recorded ? `${marker} (again)` : marker;
}
