import { shQuote } from "../components/formats/shell";

/** What one command on the host printed, and its exit status. */
export interface CommandFacts {
    readonly exit: number;
    readonly output: string;
}

/** What the doctor script saw on the host, as the SSH user. */
export interface HostFacts {
    readonly user: string;
    readonly groups: string[];
    /** A nix-daemon socket exists: the store is reached through the daemon. */
    readonly daemon: boolean;
    /** `nix show-config` as the user runs Nix (its own config files included). */
    readonly client: CommandFacts;
    /** `nix show-config` from the system files only: what nix-daemon reads when it starts. */
    readonly system: CommandFacts;
    /** `nix store ping` of the cache, with the host's netrc. */
    readonly ping: CommandFacts;
    /** `nix path-info --json` of the path in the cache. */
    readonly info: CommandFacts;
    /** `nix store verify --no-contents` of the path in the cache, against the host's trusted keys. */
    readonly verify: CommandFacts;
    /** The path is already valid in the host's own store. */
    readonly local: boolean;
    /** Whether the user can read the `netrc-file` Nix is set to (undefined: none is set). */
    readonly netrc?: "readable" | "unreadable" | "missing";
    /** `nix-store --realise --dry-run` of the path through the host's configuration. */
    readonly dryRun: CommandFacts;
    /**
     * Whether the running nix-daemon, asked over its socket, trusts this user: what it has in
     * effect, which its files only say once it has read them. Undefined where it cannot be asked.
     */
    readonly daemonTrusts?: boolean;
}

const SECTIONS = ["client", "system", "ping", "info", "verify", "dryRun"] as const;
/** A substituter no host has: sent to the daemon only to see whether it is ignored. */
const DAEMON_PROBE = "http://nix-cache-trust-probe.invalid";

/**
 * The script the doctor runs on the host: only reads and asks, changes nothing there (a dry
 * run realises nothing). Narinfo lookups use an empty cache directory of their own, so Nix's
 * memory of an earlier answer (kept for an hour) cannot hide the cache's answer now. The cache
 * URL and the path reach the script as quoted variables, never as script text.
 */
export function doctorScript(cacheUrl: string, storePath: string): string {
    const body = [
        'NIX="nix --extra-experimental-features nix-command"',
        'fresh=$(mktemp -d) || exit 1',
        "trap 'rm -rf \"$fresh\"' EXIT",
        // The end marker on a line of its own: `path-info --json` ends without a newline.
        'section() { name=$1; shift; echo "@@doctor-begin $name"; "$@" 2>&1; rc=$?; echo; echo "@@doctor-end $name $rc"; }',
        'echo "@@doctor-user $(id -un)"',
        'echo "@@doctor-groups $(id -Gn)"',
        'if [ -S "${NIX_DAEMON_SOCKET_PATH:-/nix/var/nix/daemon-socket/socket}" ]; then echo "@@doctor-daemon yes"; fi',
        "section client $NIX show-config",
        // Nix reads the netrc as the user asking; a root-only file is no help to another user.
        'netrc=$($NIX show-config 2> /dev/null | sed -n "s/^netrc-file = //p")',
        'if [ -n "$netrc" ]; then',
        '    if [ ! -e "$netrc" ]; then echo "@@doctor-netrc missing"; elif [ -r "$netrc" ]; then echo "@@doctor-netrc readable"; else echo "@@doctor-netrc unreadable"; fi',
        "fi",
        "section system env -u NIX_CONFIG NIX_USER_CONF_FILES= $NIX show-config",
        'section ping env XDG_CACHE_HOME="$fresh" $NIX store ping --store "$NC_URL"',
        'section info env XDG_CACHE_HOME="$fresh" $NIX path-info --json --store "$NC_URL" "$NC_PATH"',
        'section verify env XDG_CACHE_HOME="$fresh" $NIX store verify --no-contents --store "$NC_URL" "$NC_PATH"',
        'if $NIX path-info "$NC_PATH" > /dev/null 2>&1; then echo "@@doctor-local yes"; fi',
        'section dryRun env XDG_CACHE_HOME="$fresh" nix-store --realise --dry-run "$NC_PATH"',
        // The running daemon's own answer: with no config files, a substituter sent to it is kept
        // only for a user it trusts (`nix store info`, Nix 2.19 and later, also says so outright).
        'case "$($NIX --version 2> /dev/null)" in *" 2.19"* | *" 2."[2-9][0-9]* | *" 3."*) ask=info ;; *) ask=ping ;; esac',
        'if [ -S "${NIX_DAEMON_SOCKET_PATH:-/nix/var/nix/daemon-socket/socket}" ]; then',
        `    answer=$(env -u NIX_CONFIG NIX_CONF_DIR=/nix-cache-no-config NIX_USER_CONF_FILES=/nix-cache-no-config/nix.conf $NIX store $ask --store daemon --option substituters ${DAEMON_PROBE} 2>&1) && case $answer in`,
        `        *"Trusted: 0"* | *"ignoring untrusted substituter '${DAEMON_PROBE}'"*) echo "@@doctor-daemon-trusts no" ;;`,
        '        *) echo "@@doctor-daemon-trusts yes" ;;',
        "    esac",
        "fi",
    ].join("\n");
    return `NC_URL=${shQuote(cacheUrl)} NC_PATH=${shQuote(storePath)} sh -c ${shQuote(body)}`;
}

/** Reads what {@link doctorScript} printed; undefined when it did not run to the end. */
export function parseDoctorOutput(stdout: string): HostFacts | undefined {
    const user = /^@@doctor-user (.*)$/m.exec(stdout)?.[1];
    const groups = /^@@doctor-groups (.*)$/m.exec(stdout)?.[1];
    const sections: Partial<Record<(typeof SECTIONS)[number], CommandFacts>> = {};
    for (const name of SECTIONS) {
        const match = new RegExp(`^@@doctor-begin ${name}\\n([\\s\\S]*?)^@@doctor-end ${name} (\\d+)$`, "m").exec(stdout);
        if (match) {
            sections[name] = { output: match[1], exit: Number(match[2]) };
        }
    }
    if (user === undefined || SECTIONS.some((name) => sections[name] === undefined)) {
        return undefined;
    }
    return {
        user,
        groups: (groups ?? "").split(/\s+/).filter((g) => g.length > 0),
        daemon: /^@@doctor-daemon yes$/m.test(stdout),
        local: /^@@doctor-local yes$/m.test(stdout),
        netrc: /^@@doctor-netrc (readable|unreadable|missing)$/m.exec(stdout)?.[1] as HostFacts["netrc"],
        daemonTrusts: { yes: true, no: false }[/^@@doctor-daemon-trusts (yes|no)$/m.exec(stdout)?.[1] ?? ""],
        ...(sections as Record<(typeof SECTIONS)[number], CommandFacts>),
    };
}

/** `nix show-config` output as settings; the value of `key` as a list of words. */
export function settingWords(showConfig: string, key: string): string[] {
    const line = showConfig.split("\n").find((l) => l.startsWith(`${key} =`));
    return (line?.slice(key.length + 2) ?? "").split(/\s+/).filter((w) => w.length > 0);
}
