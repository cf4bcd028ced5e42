import * as fs from "fs";
import * as path from "path";
import { shQuote } from "../../../components/formats/shell";

/**
 * A stand-in for systemd that runs a real nix-daemon, since no systemd runs here: in a private
 * mount namespace, /run gets a fresh tmpfs with /run/systemd/system (what the scripts detect
 * systemd by), and a stand-in `systemctl` in /usr/local/sbin. It records each call in
 * /run/systemctl.calls; `start` and `try-restart` (re)start this machine's nix-daemon reading
 * `confDir` on the socket `socket`, and wait until it listens; `stop` ends it. `start` with
 * NC_TEST_DAEMON_CONF set starts it on that config dir instead: a daemon that never read the
 * host's files as they are.
 */
function systemctl(work: string, confDir: string, socket: string): string {
    const pid = path.join(work, "nix-daemon.pid");
    const log = path.join(work, "nix-daemon.log");
    return `#!/bin/sh
# Stand-in for systemctl running a real nix-daemon; see test/e2e/support/daemonStandIn.ts.
echo "$*" >> /run/systemctl.calls
case $1 in
    cat) [ "$2" = nix-daemon.service ]; exit ;;
    start | try-restart | stop) ;;
    *) echo "stand-in systemctl: unsupported: $*" >&2; exit 2 ;;
esac
if [ -f ${shQuote(pid)} ]; then
    old=$(cat ${shQuote(pid)})
    kill "$old" 2>/dev/null
    while kill -0 "$old" 2>/dev/null; do sleep 0.1; done
    rm -f ${shQuote(pid)} ${shQuote(socket)}
fi
[ "$1" != stop ] || exit 0
NIX_CONF_DIR=\${NC_TEST_DAEMON_CONF:-${shQuote(confDir)}} NIX_DAEMON_SOCKET_PATH=${shQuote(socket)} setsid nix-daemon < /dev/null >> ${shQuote(log)} 2>&1 &
echo $! > ${shQuote(pid)}
i=0
until [ -S ${shQuote(socket)} ]; do
    i=$((i + 1)); [ "$i" -lt 100 ] || { echo "stand-in systemctl: nix-daemon did not start" >&2; exit 1; }
    sleep 0.1
done
`;
}

/** The daemon's socket and the shell that prepares the namespace (see BuilderHostOptions). */
export function daemonStandInSetup(work: string, confDir: string): { socket: string; setup: string; pidFile: string } {
    fs.chmodSync(work, 0o755);
    const socket = path.join(work, "socket");
    const bin = path.join(work, "daemon-stand-in");
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, "systemctl"), systemctl(work, confDir, socket), { mode: 0o755 });
    return {
        socket,
        pidFile: path.join(work, "nix-daemon.pid"),
        setup: ["mount -t tmpfs tmpfs /run", "mkdir -p /run/systemd/system /usr/local/sbin", `mount --bind ${bin} /usr/local/sbin`].join("\n"),
    };
}
