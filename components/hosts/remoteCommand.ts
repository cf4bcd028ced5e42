import { HostKind } from "../config/model";
import { shQuote } from "../formats/shell";
import { ScriptRole } from "./hostScripts";

/** Where each script starts in a command's stdin, and where the scripts end (data may follow). */
const SCRIPT_MARK = "#nix-cache:script ";
const END_MARK = "#nix-cache:end";
/** The part of stdin that starts the script: as the login user, or as root through sudo. */
const LAUNCHER = "launch";

/**
 * What the command line runs under `sh` (whatever the login shell is): it reads stdin up to the
 * end mark, keeping the launcher and the script named by `$1`, and hands that script, and the
 * login session's NIX_CONF_DIR (`$2`; sudo resets the environment), to the launcher. `read`
 * takes one byte at a time from a pipe, so the data after the end mark (the netrc token) is left
 * for the script to read.
 */
const READER = [
    "nc_run=; nc_s=; nc_on=",
    "while IFS= read -r nc_l; do",
    `case $nc_l in "${END_MARK}") break ;; "${SCRIPT_MARK}"*) nc_on=\${nc_l#"${SCRIPT_MARK}"}; continue ;; esac`,
    'if [ "$nc_on" = launch ]; then nc_run="$nc_run$nc_l',
    '"; elif [ "$nc_on" = "$1" ]; then nc_s="$nc_s$nc_l',
    '"; fi',
    "done",
    '[ -n "$nc_s" ] && [ -n "$nc_run" ] || { echo "nix-cache: error: no $1 script on stdin" >&2; exit 1; }',
    'exec sh -c "$nc_run" nix-cache "$nc_s" "$2"',
].join("\n");

/**
 * The command line of the script `role`: short and the same for every host, so a failing
 * command's error (which quotes the command line) names the step and never carries the
 * script. The script itself arrives on stdin, in a {@link scriptBundle}.
 */
export function scriptLine(role: ScriptRole): string {
    return `exec sh -c ${shQuote(READER)} nix-cache ${role} "\${NIX_CONF_DIR:-}"`;
}

/**
 * The stdin of a remote command whose lines are {@link scriptLine}s of `scripts`' roles: the
 * launcher, then each script, then the end mark. A command's delete runs with the stdin of its
 * last create or update, so one bundle carries every script its lines name. For kinds that
 * change system files a non-root login goes through `sudo -n` (never a password prompt); stdin
 * flows through sudo unchanged.
 */
export function scriptBundle(scripts: Partial<Record<ScriptRole, string>>, kind: HostKind, role: "privileged" | "unprivileged" = "privileged"): string {
    const parts = [[LAUNCHER, launcher(kind, role)], ...Object.entries(scripts)] as [string, string][];
    for (const [name, text] of parts) {
        if (text.split("\n").some((line) => line === END_MARK || line.startsWith(SCRIPT_MARK))) {
            throw new Error(`the ${name} script has a line the stdin bundle reserves (${END_MARK} or ${SCRIPT_MARK.trim()})`);
        }
    }
    return [...parts.map(([name, text]) => `${SCRIPT_MARK}${name}\n${text.endsWith("\n") ? text : `${text}\n`}`), `${END_MARK}\n`].join("");
}

/** The script `role` in a {@link scriptBundle} (a command's stdin as state records it), or undefined. */
export function bundledScript(stdin: string | undefined, role: ScriptRole): string | undefined {
    const lines: string[] = [];
    let current: string | undefined;
    for (const line of (stdin ?? "").split("\n")) {
        if (line === END_MARK) {
            break;
        }
        if (line.startsWith(SCRIPT_MARK)) {
            current = line.slice(SCRIPT_MARK.length);
        } else if (current === role) {
            lines.push(line);
        }
    }
    return lines.length === 0 ? undefined : `${lines.join("\n")}\n`;
}

/** Starts the script (`$1`) with the conf dir (`$2`), through sudo where the kind needs root. */
function launcher(kind: HostKind, role: "privileged" | "unprivileged"): string {
    const run = 'sh -c "$1" nix-cache "$2"';
    if (kind === "user" || role === "unprivileged") {
        return `exec ${run}`;
    }
    // Two words rather than one "sudo -n" variable: zsh does not split unquoted variables.
    return [
        'nc_a="env"; nc_b="NIX_CACHE_AS=root"; if [ "$(id -u)" -ne 0 ]; then',
        'command -v sudo >/dev/null 2>&1 || { echo "nix-cache: error: $(id -un)@$(uname -n) is not root and sudo is not installed; log in as root or install sudo" >&2; exit 1; };',
        'sudo -n true 2>/dev/null || { echo "nix-cache: error: $(id -un)@$(uname -n) cannot run sudo without a password (sudo -n); give it a NOPASSWD rule or log in as root" >&2; exit 1; };',
        `nc_a="sudo"; nc_b="-n"; fi; exec "$nc_a" "$nc_b" ${run}`,
    ].join("\n");
}
