import * as fs from "fs";
import * as path from "path";

/**
 * A stand-in for systemd, since none runs here: in a private mount namespace, /run gets a fresh
 * tmpfs with /run/systemd/system (what the scripts detect systemd by), and a stand-in
 * `systemctl` in /usr/local/sbin (first on the sessions' PATH, and sudo's). It knows `nix-daemon.service` and records each call in
 * /run/systemctl.calls; with /run/systemctl.kill present, `try-restart` kills the script that
 * called it (once), as an SSH drop or a killed apply would cut it short before the restart.
 */
const SYSTEMCTL = `#!/bin/sh
# Stand-in for systemctl (no systemd runs here); see test/e2e/support/systemdStandIn.ts.
echo "$*" >> /run/systemctl.calls
case $1 in
    cat) [ "$2" = nix-daemon.service ] ;;
    try-restart)
        if [ -e /run/systemctl.kill ]; then rm -f /run/systemctl.kill; kill -9 "$PPID"; fi
        exit 0
        ;;
    *) echo "stand-in systemctl: unsupported: $*" >&2; exit 2 ;;
esac
`;

/**
 * The daemon's socket in the namespace (the sessions' NIX_DAEMON_SOCKET_PATH): a socket file no
 * process holds, as systemd's socket activation shows one to a script that cannot see which
 * process listens, so the scripts judge the daemon by the record of their own last restart.
 */
export const SYSTEMD_STAND_IN_SOCKET = "/run/nix-daemon.socket";

/** The shell that prepares the namespace before sshd starts (see BuilderHostOptions). */
export function systemdStandInSetup(work: string): string {
    const bin = path.join(work, "systemd-stand-in");
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, "systemctl"), SYSTEMCTL, { mode: 0o755 });
    const bindSocket = `python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' ${SYSTEMD_STAND_IN_SOCKET}`;
    return ["mount -t tmpfs tmpfs /run", "mkdir -p /run/systemd/system /usr/local/sbin", `mount --bind ${bin} /usr/local/sbin`, bindSocket].join("\n");
}
