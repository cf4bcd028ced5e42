# ---- nix-cache shell library: restarting nix-daemon through its service manager ----

# Which service manager runs nix-daemon here, so nix-cache can restart it: systemd (a
# nix-daemon.service), launchd (a known label), or nothing (empty: none nix-cache knows).
nc_daemon_manager() {
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        systemctl cat nix-daemon.service >/dev/null 2>&1 && echo systemd
    elif [ "$(uname -s)" = Darwin ] && command -v launchctl >/dev/null 2>&1; then
        [ -z "$(nc_launchd_label /Library/LaunchDaemons)" ] || echo launchd
    fi
}

# Restarts nix-daemon so it reads the new nix.conf: through systemd or launchd. Returns 0 when
# it restarted or no daemon runs, 1 when a restart failed, 2 when a daemon listens but no
# service manager nix-cache knows runs it (see nc_daemon_restart_command).
nc_restart_daemon() {
    case $(nc_daemon_manager) in
        systemd)
            # try-restart: a socket-activated daemon that is not running starts fresh anyway.
            systemctl try-restart nix-daemon.service || return 1
            say "restarted nix-daemon (systemd)"
            return 0
            ;;
        launchd)
            nc_launchd_restart /Library/LaunchDaemons
            return
            ;;
    esac
    [ ! -S "${NIX_DAEMON_SOCKET_PATH:-/nix/var/nix/daemon-socket/socket}" ] || return 2
    say "no nix-daemon runs here (no socket): Nix reads the files directly"
    return 0
}

# The launchd label of nix-daemon on macOS ($1: the LaunchDaemons dir): Determinate's,
# systems.determinate.nix-daemon, when its plist is there or the label is loaded; else the
# official installer's, org.nixos.nix-daemon, likewise; empty when neither.
# scratch: nc_known_label
nc_launchd_label() {
    for nc_known_label in systems.determinate.nix-daemon org.nixos.nix-daemon; do
        if [ -f "$1/$nc_known_label.plist" ] || launchctl print "system/$nc_known_label" > /dev/null 2>&1; then
            echo "$nc_known_label"
            return 0
        fi
    done
}

# Restarts nix-daemon under launchd ($1: the LaunchDaemons dir); returns 1 when that fails.
# scratch: nc_label
nc_launchd_restart() {
    nc_label=$(nc_launchd_label "$1")
    if [ -z "$nc_label" ]; then
        say "launchd runs no nix-daemon (neither systems.determinate.nix-daemon nor org.nixos.nix-daemon): no daemon to restart"
        return 0
    fi
    launchctl kickstart -k "system/$nc_label" || return 1
    say "restarted nix-daemon (launchd, $nc_label)"
}

# The one command that restarts the running nix-daemon here, for a person to run.
nc_daemon_restart_command() {
    case $(nc_daemon_manager) in
        systemd) echo "systemctl restart nix-daemon.service"; return 0 ;;
        launchd) echo "launchctl kickstart -k system/$(nc_launchd_label /Library/LaunchDaemons)"; return 0 ;;
    esac
    if command -v rc-service > /dev/null 2>&1 && rc-service -e nix-daemon > /dev/null 2>&1; then
        echo "rc-service nix-daemon restart"
    elif command -v sv > /dev/null 2>&1 && { [ -d /etc/service/nix-daemon ] || [ -d /var/service/nix-daemon ]; }; then
        echo "sv restart nix-daemon"
    elif command -v s6-svc > /dev/null 2>&1 && [ -d /run/service/nix-daemon ]; then
        echo "s6-svc -r /run/service/nix-daemon"
    elif [ -n "$nc_dpid" ]; then
        echo "kill $nc_dpid, then start it again as before ($(tr '\0' ' ' < "/proc/$nc_dpid/cmdline" 2>/dev/null | sed 's/ $//'))"
    else
        echo "restart nix-daemon the way it was started"
    fi
}

# What apply and verify say when the daemon lacks the files ($1: why) and nix-cache does not
# restart it: the same words, ending with the one command to run.
nc_daemon_pending() {
    if [ "$NC_RESTART_DAEMON" != yes ]; then
        printf '%s (restartDaemon: false); to use them run: %s' "$1" "$(nc_daemon_restart_command)"
    else
        printf '%s, and no service manager nix-cache knows runs it; to use them run: %s' "$1" "$(nc_daemon_restart_command)"
    fi
}
