import { HostKind } from "../config/model";
import { shQuote } from "../formats/shell";

/**
 * The command line that runs `script` on the host over SSH. The login shell only starts
 * `sh -c SCRIPT`, so the script runs under a POSIX shell whatever the login shell is (it must
 * be sh-like: bash, dash, zsh). The login session's NIX_CONF_DIR is passed as `$1`, since sudo
 * resets the environment; `args` follow it (`$2`, ...). For kinds that change system files a non-root login goes through
 * `sudo -n` (never a password prompt); stdin (the netrc token) flows through sudo unchanged.
 */
export function remoteCommand(script: string, kind: HostKind, role: "privileged" | "unprivileged" = "privileged", args: readonly string[] = []): string {
    const run = [`sh -c ${shQuote(script)} nix-cache "\${NIX_CONF_DIR:-}"`, ...args.map(shQuote)].join(" ");
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
