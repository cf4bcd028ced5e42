import { HostSpec, PROJECT_NAME, StackModel } from "../components/config/model";
import { replacementTriggers } from "../components/hosts/connection";
import { declaredValuesOf, hostScripts } from "../components/hosts/hostScripts";
import { hostOwner, hostPayload } from "../components/hosts/payload";
import { renderedAddedCaches } from "../components/mirror/mirrorCache";
import { Artifact } from "../components/render/artifact";
import { AppliedState } from "./appliedState";

/**
 * What would change on each target since the stack's last `up`, in words: one line per target,
 * keyed `host:NAME`, `repository:OWNER/REPO`, `secrets` and `bucket:NAME`, and a line for each
 * host state has that the stack file no longer declares. Secrets are never compared.
 */
export interface StackChanges {
    /** How the summary's changes were found (or why there are none). */
    readonly basis: string;
    /** The change line of each target. */
    readonly byTarget: ReadonlyMap<string, string>;
    /** Hosts in state that the stack file no longer lists. */
    readonly removed: readonly string[];
}

const SAME = "unchanged since the last up";
const NEW = "added: not applied yet";

/** No state to compare with: `why` says so in the summary's first line. */
export function noChanges(why: string): StackChanges {
    return { basis: why, byTarget: new Map(), removed: [] };
}

/**
 * What `pulumi up` would change, comparing what render computes for `model` (its `artifacts`,
 * the same functions apply uses) with what `applied` recorded. Targets state lacks are added.
 */
export function stackChanges(stack: string, model: StackModel, artifacts: readonly Artifact[], applied: AppliedState): StackChanges {
    if (applied.resourceCount === 0) {
        return noChanges("not applied yet: its state is empty");
    }
    const byTarget = new Map<string, string>();
    for (const host of model.hosts.filter((h) => !h.retired)) {
        byTarget.set(`host:${host.name}`, hostChange(model, host, stack, applied));
    }
    for (const file of artifacts.filter((a) => a.kind === "workflow")) {
        const [, repository, ...rest] = file.target.split(":");
        const recorded = [applied.files.get(`${repository}:${rest.join(":")}`), applied.files.get(`${repository.split("/")[1]}:${rest.join(":")}`)].find((c) => c !== undefined);
        byTarget.set(`repository:${repository}`, recorded === undefined ? "workflow file: not recorded by the last up (new, or no pull request was needed)" : recorded === file.content ? `workflow file ${SAME}` : "workflow file changes");
    }
    const planned = new Set(artifacts.filter((a) => a.kind === "github-secret").flatMap((a) => secretEntries(JSON.parse(a.content)).map((e) => String(e.name))));
    if (planned.size > 0) {
        const names = listChange([...applied.secretNames].sort(), [...planned].sort());
        byTarget.set("secrets", `${names === undefined ? "names unchanged" : `names ${names}`} (values are secrets: not compared)`);
    }
    for (const item of artifacts.filter((a) => a.target.startsWith("s3:"))) {
        const [, bucket, key] = item.target.split(":");
        const recorded = applied.bucketItems.get(item.target);
        const word = recorded === undefined ? "not applied yet" : sameDocument(recorded, item.content) ? "unchanged" : "changes";
        const line = `${key === "bucket-policy" ? "policy" : key} ${word}`;
        const before = byTarget.get(`bucket:${bucket}`);
        byTarget.set(`bucket:${bucket}`, before === undefined ? line : `${before}; ${line}`);
    }
    const declared = new Set(model.hosts.map((h) => h.name));
    const removed = [...applied.hosts.keys()].filter((name) => !declared.has(name));
    return { basis: "compared with what its last up recorded (secrets are never compared)", byTarget, removed };
}

/** Each declared value the host's scripts carry, as the summary names it. */
const NAMED: [string, string, "list" | "value"][] = [
    ["NC_WANT_SUBSTITUTERS", "substituters", "list"],
    ["NC_WANT_KEYS", "trusted-public-keys", "list"],
    ["NC_WANT_USERS", "trusted-users", "list"],
    ["NC_KIND", "kind", "value"],
    ["NC_DEFAULT_CONF_DIR", "nixConfDir", "value"],
    ["NC_RESTART_DAEMON", "restartDaemon", "value"],
    ["NC_NIXOS_ACTION", "nixosRebuild", "value"],
    ["NC_OWNER", "owner", "value"],
];

/**
 * One host's change: each declared value that differs (lists as `+added -removed`), the netrc
 * (only whether it is new, gone or for another machine: its token is a secret), a new login
 * (the commands are replaced), or the scripts alone (another nix-cache version).
 */
export function hostChange(model: StackModel, host: HostSpec, stack: string, applied: AppliedState): string {
    const recorded = applied.hosts.get(host.name);
    if (recorded === undefined) {
        return NEW;
    }
    if (recorded.verifyScript === undefined) {
        return "its recorded commands are secret: not compared";
    }
    const was = declaredValuesOf(recorded.verifyScript);
    // The mirror's key is made by up: render's placeholder stands for the key state recorded.
    const recordedKeys = words(was.get("NC_WANT_KEYS") ?? "");
    const added = renderedAddedCaches(model).map((cache) => ({ ...cache, publicKeys: generatedKeysAs(cache.publicKeys, recordedKeys) }));
    const payload = hostPayload(model, host, added, hostOwner(applied.project ?? PROJECT_NAME, stack, host));
    const script = hostScripts(payload).verify;
    const now = declaredValuesOf(script);
    const changes: string[] = [];
    for (const [variable, name, shape] of NAMED) {
        const [before, after] = [was.get(variable) ?? "", now.get(variable) ?? ""];
        const change = shape === "list" ? listChange(words(before), words(after)) : before === after ? undefined : `${before || "(none)"} -> ${after || "(none)"}`;
        if (change !== undefined) {
            changes.push(`${name} ${change}`);
        }
    }
    const trigger = JSON.stringify(recorded.triggers) === JSON.stringify(replacementTriggers(host)) ? undefined : "login or files elsewhere: undone there and applied anew";
    if (trigger !== undefined) {
        changes.push(trigger);
    }
    const netrc = netrcChange(payload.netrcMachine, recorded.netrc, was.get("NC_NETRC_MACHINE"));
    if (changes.length === 0 && netrc === undefined && recorded.verifyScript !== script) {
        changes.push("scripts change (another nix-cache version): applied again");
    }
    if (changes.length === 0 && netrc === undefined) {
        return SAME;
    }
    return [...(changes.length === 0 ? ["settings unchanged"] : changes), netrc ?? "netrc unchanged"].join("; ");
}

/** The netrc's change, from its non-secret parts; undefined when it is unchanged (or there is none). */
function netrcChange(machine: string | undefined, recorded: boolean, recordedMachine: string | undefined): string | undefined {
    if (machine === undefined) {
        return recorded ? "netrc removed" : undefined;
    }
    if (!recorded) {
        return `netrc added (machine ${machine})`;
    }
    return machine === (recordedMachine ?? "") ? undefined : `netrc machine ${recordedMachine ?? "(none)"} -> ${machine}`;
}

/** `+a -b`, or `reordered`, or undefined when `before` and `after` are the same list. */
function listChange(before: readonly string[], after: readonly string[]): string | undefined {
    const added = after.filter((x) => !before.includes(x)).map((x) => `+${x}`);
    const gone = before.filter((x) => !after.includes(x)).map((x) => `-${x}`);
    if (added.length + gone.length > 0) {
        return [...added, ...gone].join(" ");
    }
    return before.join(" ") === after.join(" ") ? undefined : "reordered";
}

/** `planned` keys with each placeholder (`NAME:<...>`) taken as the `recorded` key of that name, if any. */
function generatedKeysAs(planned: readonly string[], recorded: readonly string[]): string[] {
    return planned.map((key) => {
        const [name, value] = key.split(/:(.*)/s);
        return value?.startsWith("<") ? (recorded.find((r) => r.startsWith(`${name}:`)) ?? key) : key;
    });
}

function words(text: string): string[] {
    return text.split(" ").filter((w) => w.length > 0);
}

/** Two JSON documents with the same value are the same policy; other text must be equal. */
function sameDocument(a: string, b: string): boolean {
    try {
        return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
    } catch {
        return a === b;
    }
}

/** Each secret a rendered secrets file places, as the entry (scope, name, and where) that places it. */
export function secretEntries(value: unknown): Record<string, unknown>[] {
    if (Array.isArray(value)) {
        return value.flatMap(secretEntries);
    }
    if (typeof value !== "object" || value === null) {
        return [];
    }
    const entry = value as Record<string, unknown>;
    return [...(typeof entry.scope === "string" && typeof entry.name === "string" ? [entry] : []), ...Object.values(entry).flatMap(secretEntries)];
}
