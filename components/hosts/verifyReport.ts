/** A verify check's outcome. */
export const VerifyStatus = {
    /** In effect as declared. */
    Ok: "ok",
    /** Differs from what is declared. */
    Drift: "drift",
    /** Declared, waiting for a NixOS rebuild or reboot. */
    Pending: "pending",
} as const;
/** A verify check's outcome. */
export type VerifyStatus = (typeof VerifyStatus)[keyof typeof VerifyStatus];

/** One line of the verify script's report. */
export interface VerifyCheck {
    /** `ok`, `drift`, or `pending` (declared, waiting for a NixOS rebuild or reboot). */
    readonly status: VerifyStatus;
    /** What was checked: kind, owner, nix, file, include, trust, effective, daemon, netrc, import. */
    readonly item: string;
    /** What was found. */
    readonly detail: string;
}

/** The effective settings a host reported. */
export interface EffectiveSettings {
    readonly substituters: string[];
    readonly trustedPublicKeys: string[];
    readonly trustedUsers: string[];
}

/** The verify script's output, parsed. */
export interface VerifyReport {
    readonly checks: VerifyCheck[];
    readonly effective: EffectiveSettings;
    /** Any check drifted. */
    readonly drift: boolean;
}

const CHECK = /^nix-cache-check (ok|drift|pending) ([a-z-]+): (.*)$/;
const EFFECTIVE = /^nix-cache-effective (substituters|trusted-public-keys|trusted-users) = ?(.*)$/;

/** Parses what the verify (or apply) script printed; other lines are ignored. */
export function parseVerifyReport(stdout: string): VerifyReport {
    const checks: VerifyCheck[] = [];
    const settings: Record<string, string[]> = { substituters: [], "trusted-public-keys": [], "trusted-users": [] };
    for (const line of stdout.split("\n")) {
        const check = CHECK.exec(line);
        if (check) {
            checks.push({ status: check[1] as VerifyCheck["status"], item: check[2], detail: check[3] });
            continue;
        }
        const effective = EFFECTIVE.exec(line);
        if (effective) {
            settings[effective[1]] = uniqueEntries(effective[2].split(/\s+/).filter((word) => word.length > 0));
        }
    }
    return {
        checks,
        effective: {
            substituters: settings["substituters"],
            trustedPublicKeys: settings["trusted-public-keys"],
            trustedUsers: settings["trusted-users"],
        },
        drift: checks.some((check) => check.status === "drift"),
    };
}

/**
 * `entries` with each one once, in first-seen order: Nix repeats an entry that both the system's
 * and a user's nix.conf list. Two URLs that differ only by a trailing slash are one entry.
 */
export function uniqueEntries(entries: readonly string[]): string[] {
    const seen = new Set<string>();
    return entries.filter((entry) => {
        const key = entry.replace(/\/$/, "");
        if (seen.has(key)) {
            return false;
        }
        seen.add(key);
        return true;
    });
}
