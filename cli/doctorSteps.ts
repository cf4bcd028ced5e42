import { normaliseUrl } from "../components/formats/urls";
import { CommandFacts, HostFacts, settingWords } from "./doctorFacts";

/** The troubleshooting steps, in the guide's order. */
export const DOCTOR_STEPS = ["substituter", "key", "trust", "cache", "path", "signature", "substitute"] as const;
/** One of {@link DOCTOR_STEPS}. */
export type DoctorStepName = (typeof DOCTOR_STEPS)[number];

/** One step's outcome: `ok`, a `finding` with the one fix, or `skipped` when an earlier finding hides it. */
export interface DoctorStep {
    readonly step: DoctorStepName;
    readonly status: "ok" | "finding" | "skipped";
    /** What was found. */
    readonly detail: string;
    /** For a finding: the one thing to do, in words. */
    readonly fix?: string;
}

/** What the host should have: the stack's cache and the path asked about. */
export interface DoctorExpectation {
    readonly cacheUrl: string;
    readonly publicKeys: readonly string[];
    readonly storePath: string;
    /** The host entry's name in the stack, for the fixes' wording. */
    readonly host: string;
    /** The cache is private: the host needs its token in a netrc. */
    readonly private: boolean;
}

const hasUrl = (list: readonly string[], url: string) => list.some((u) => normaliseUrl(u) === normaliseUrl(url));
const keyNames = (keys: readonly string[]) => keys.map((k) => k.split(":")[0]);
const lastError = (facts: CommandFacts) =>
    facts.output.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("error:") || l.startsWith("warning:")).pop() ?? (facts.output.trim().split("\n").pop() ?? `exit ${facts.exit}`);

/** Whether Nix's `trusted-users` list admits `user` (a name, `@group`, or `*`). */
export function isTrustedUser(user: string, groups: readonly string[], trustedUsers: readonly string[]): boolean {
    return trustedUsers.some((entry) => entry === "*" || entry === user || (entry.startsWith("@") && groups.includes(entry.slice(1))));
}

/**
 * The guide's troubleshooting, in order, decided from what the host said. Later steps that an
 * earlier finding makes unanswerable are `skipped`; the first finding is the cause to fix.
 */
export function diagnose(facts: HostFacts, want: DoctorExpectation): DoctorStep[] {
    const steps: DoctorStep[] = [];
    const redo = `run \`pulumi up\` for host ${want.host} (it declares the cache there)`;
    const client = facts.client.output;
    const system = facts.system.output;
    if (facts.client.exit !== 0) {
        const detail = `Nix cannot read its configuration: ${lastError(facts.client)}`;
        return DOCTOR_STEPS.map((step, i) => (i === 0 ? { step, status: "finding", detail, fix: "repair the host's nix.conf so `nix show-config` succeeds" } : { step, status: "skipped", detail: "" }));
    }
    // The daemon's view, beside the user's, where a daemon runs.
    const daemonView = (has: boolean) => (facts.daemon ? `; the daemon's own files ${has ? "have it" : "do not"}` : "");
    const substituters = settingWords(client, "substituters");
    const daemonHasUrl = hasUrl(settingWords(system, "substituters"), want.cacheUrl);
    steps.push(
        hasUrl(substituters, want.cacheUrl)
            ? { step: "substituter", status: "ok", detail: `${want.cacheUrl} is in substituters${daemonView(daemonHasUrl)}` }
            : { step: "substituter", status: "finding", detail: `${want.cacheUrl} is not in substituters (${substituters.join(" ") || "none"})${daemonView(daemonHasUrl)}`, fix: `add ${want.cacheUrl} to the host's substituters: ${redo}` },
    );
    const trustedKeys = settingWords(client, "trusted-public-keys");
    const matching = want.publicKeys.filter((k) => trustedKeys.includes(k));
    const daemonHasKey = want.publicKeys.some((k) => settingWords(system, "trusted-public-keys").includes(k));
    steps.push(
        matching.length > 0
            ? { step: "key", status: "ok", detail: `${keyNames(matching).join(", ")} is in trusted-public-keys${daemonView(daemonHasKey)}` }
            : {
                  step: "key",
                  status: "finding",
                  detail: `none of the cache's keys (${keyNames(want.publicKeys).join(", ")}) is in trusted-public-keys (${keyNames(trustedKeys).join(", ") || "none"})${daemonView(daemonHasKey)}`,
                  fix: `add the cache's public key to trusted-public-keys: ${redo}`,
              },
    );
    steps.push(trustStep(facts, want, system));
    const netrc = settingWords(client, "netrc-file")[0] ?? "the netrc file";
    const cacheOk = facts.ping.exit === 0;
    if (cacheOk) {
        steps.push({ step: "cache", status: "ok", detail: `${want.cacheUrl} answers${want.private ? ` with the token in ${netrc}` : ""}` });
    } else {
        const refused = /does not appear to be a binary cache|HTTP error 40[13]/.test(facts.ping.output);
        steps.push({
            step: "cache",
            status: "finding",
            detail: `${want.cacheUrl} does not answer as a binary cache: ${lastError(facts.ping)}`,
            fix: refused ? refusedFix(facts, want, netrc, redo) : `make ${want.cacheUrl} reachable from the host (network, DNS, proxy)`,
        });
    }
    const info = parsePathInfo(facts.info);
    if (!cacheOk) {
        steps.push({ step: "path", status: "skipped", detail: "the cache did not answer" }, { step: "signature", status: "skipped", detail: "the cache did not answer" });
    } else if (info === undefined) {
        steps.push(
            { step: "path", status: "finding", detail: `${want.storePath} is not in ${want.cacheUrl}`, fix: "push it: let CI build and push it, or `cachix push` it from a machine that built it" },
            { step: "signature", status: "skipped", detail: "the path is not in the cache" },
        );
    } else {
        steps.push({ step: "path", status: "ok", detail: `${want.storePath} is in ${want.cacheUrl}` });
        const signers = [...new Set(info.signatures.map((s) => s.split(":")[0]))];
        steps.push(
            facts.verify.exit === 0
                ? { step: "signature", status: "ok", detail: `signed by ${signers.join(", ")}, a key the host trusts` }
                : {
                      step: "signature",
                      status: "finding",
                      detail: `signed ${signers.length === 0 ? "by no key" : `only by ${signers.join(", ")}`}, which the host does not trust (it trusts ${keyNames(trustedKeys).join(", ") || "none"})`,
                      fix: `push it again so the cache signs it with its own key (${keyNames(want.publicKeys).join(", ")})`,
                  },
        );
    }
    steps.push(substituteStep(facts, want, steps.find((s) => s.step === "signature")?.status === "finding"));
    return steps;
}

/** The daemon ignores an untrusted user's substituters and keys; only its own settings count then. */
function trustStep(facts: HostFacts, want: DoctorExpectation, system: string): DoctorStep {
    if (facts.user === "root" || !facts.daemon) {
        return { step: "trust", status: "ok", detail: facts.user === "root" ? "root is always trusted" : `no nix-daemon: ${facts.user}'s Nix uses its own settings` };
    }
    const trustedUsers = settingWords(system, "trusted-users");
    const inFiles = isTrustedUser(facts.user, facts.groups, trustedUsers);
    // The running daemon's answer is what is in effect; its files only say what it reads at start.
    if (inFiles && facts.daemonTrusts === false) {
        return {
            step: "trust",
            status: "finding",
            detail: `${facts.user} is in the trusted-users of the daemon's files, but the running nix-daemon, asked over its socket, does not trust ${facts.user}: it has not read them since they changed`,
            fix: "restart nix-daemon (for example `systemctl restart nix-daemon`) so it reads its nix.conf",
        };
    }
    if (inFiles || facts.daemonTrusts === true) {
        const asked = facts.daemonTrusts === undefined ? "" : " (the running nix-daemon, asked over its socket, agrees)";
        return inFiles
            ? { step: "trust", status: "ok", detail: `${facts.user} is in the daemon's trusted-users${asked}` }
            : { step: "trust", status: "ok", detail: `the running nix-daemon trusts ${facts.user}, though its files no longer say so (a restart would end that)` };
    }
    const daemonSubstituters = [...settingWords(system, "substituters"), ...settingWords(system, "trusted-substituters")];
    const daemonKeys = settingWords(system, "trusted-public-keys");
    if (hasUrl(daemonSubstituters, want.cacheUrl) && want.publicKeys.some((k) => daemonKeys.includes(k))) {
        return { step: "trust", status: "ok", detail: `${facts.user} is not trusted, but the daemon's own settings have the cache and its key` };
    }
    return {
        step: "trust",
        status: "finding",
        detail: `${facts.user} is not in the daemon's trusted-users (${trustedUsers.join(" ") || "none"}), and the daemon's own settings lack the cache, so it ignores ${facts.user}'s`,
        fix: `add ${facts.user} to trusted-users in the system nix.conf (trustedUsers of host ${want.host}) and restart nix-daemon, or declare the host as kind nix so the daemon has the cache itself`,
    };
}

/** A cache that refused the host: the token is missing, wrong, or where this user cannot read it. */
function refusedFix(facts: HostFacts, want: DoctorExpectation, netrc: string, redo: string): string {
    if (facts.netrc === "unreadable") {
        return `${netrc} is not readable by ${facts.user}, so this check could not send its token: run the doctor as a host user that can read it (root)`;
    }
    const wanted = `\`machine ${hostOf(want.cacheUrl)} password TOKEN\``;
    if (facts.netrc === undefined || facts.netrc === "missing") {
        return `give the host a netrc with the cache's token (${wanted}${facts.netrc === "missing" ? ` at ${netrc}, which does not exist` : ", and netrc-file pointing to it"}): set cachixAuthToken and ${redo}`;
    }
    return `put the cache's valid token in ${netrc} (${wanted}): set cachixAuthToken and ${redo}`;
}

// A dry run does not check signatures (Nix does when it fetches), so a path signed by an
// untrusted key looks fetchable there; the signature step's finding decides it.
function substituteStep(facts: HostFacts, want: DoctorExpectation, untrustedSignature: boolean): DoctorStep {
    if (facts.local) {
        return { step: "substitute", status: "ok", detail: `${want.storePath} is already in the host's store` };
    }
    const output = facts.dryRun.output;
    if (/will be fetched/.test(output) && output.includes(want.storePath)) {
        return untrustedSignature
            ? { step: "substitute", status: "finding", detail: "a dry run lists it as fetchable, but Nix refuses it when fetching: no signature by a key it trusts", fix: "fix the signature finding above" }
            : { step: "substitute", status: "ok", detail: "a dry run would fetch it from a substituter" };
    }
    const what = /will be built/.test(output) ? "would build it from source" : "cannot get it (no substituter offers it)";
    return { step: "substitute", status: "finding", detail: `a dry run ${what}`, fix: "fix the first finding above, then run the doctor again" };
}

function parsePathInfo(facts: CommandFacts): { signatures: string[] } | undefined {
    if (facts.exit !== 0) {
        return undefined;
    }
    try {
        const start = facts.output.indexOf("[");
        const [entry] = JSON.parse(facts.output.slice(start, facts.output.lastIndexOf("]") + 1)) as { valid?: boolean; signatures?: string[] }[];
        return entry === undefined || entry.valid === false ? undefined : { signatures: entry.signatures ?? [] };
    } catch {
        return undefined;
    }
}

function hostOf(url: string): string {
    try {
        return new URL(url).hostname;
    } catch {
        return url;
    }
}

/** The report: one line per step, the fix under each finding, then the cause. */
export function formatDiagnosis(host: string, storePath: string, steps: readonly DoctorStep[]): string {
    const lines = [`${host}: ${storePath}`];
    for (const step of steps) {
        lines.push(`  ${step.status.padEnd(8)} ${step.step.padEnd(11)} ${step.detail}`);
        if (step.fix !== undefined) {
            lines.push(`  ${"".padEnd(8)} ${"".padEnd(11)} fix: ${step.fix}`);
        }
    }
    const first = steps.find((s) => s.status === "finding");
    lines.push(first === undefined ? "The host can substitute the path from the cache." : `First finding: ${first.step}. ${first.fix}`);
    return `${lines.join("\n")}\n`;
}
