# ---- nix-cache shell library: whether the running nix-daemon has read the files as they are ----

# The process id of the nix-daemon listening on its socket, as Linux's /proc shows it (the oldest
# process, other than an init, holding the listening socket: the daemon, not its workers); empty
# where it cannot be seen.
# scratch: nc_inode nc_ticks nc_p
nc_daemon_pid() {
    [ -r /proc/net/unix ] || return 0
    nc_inode=$(awk -v p="$(nc_daemon_socket)" '$NF == p && $4 == "00010000" { print $7; exit }' /proc/net/unix)
    [ -n "$nc_inode" ] || return 0
    find /proc -mindepth 3 -maxdepth 3 -path '/proc/[0-9]*/fd/*' -lname "socket:\[$nc_inode\]" 2>/dev/null |
        while IFS=/ read -r _ _ nc_p _; do
            [ "$nc_p" != 1 ] || continue
            nc_ticks=$(sed 's/.*) //' "/proc/$nc_p/stat" 2>/dev/null | awk '{ print $20 }')
            [ -z "$nc_ticks" ] || printf '%s %s\n' "$nc_ticks" "$nc_p"
        done | sort -n | sed -n '1s/.* //p'
}

# Whether process $1 started over a second before file $2 last changed (so it has not read it).
# scratch: nc_ticks
nc_started_before() {
    nc_ticks=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $20 }')
    [ -n "$nc_ticks" ] || return 1
    awk -v t="$nc_ticks" -v hz="$(getconf CLK_TCK 2>/dev/null || echo 100)" -v now="$(date +%s)" -v m="$(date -r "$2" +%s)" \
        '{ exit !(($1 - t / hz) > (now - m) + 1) }' /proc/uptime
}

# Whether the running nix-daemon has the files (nc_conf, nc_managed) as they are, judged by the
# daemon itself: what it reports over its socket, and whether it started after they last changed
# (whoever restarted it, however). Only where its process cannot be seen (no /proc) does the
# record of nix-cache's last restart stand in. Sets nc_stale (why not; empty when it has them,
# or when no daemon runs, where what Nix reads is checked instead) and nc_dpid.
# sets: nc_stale nc_dpid
# scratch: nc_stale_file
nc_daemon_staleness() {
    nc_stale=
    nc_dpid=
    [ -S "$(nc_daemon_socket)" ] || return 0
    nc_dpid=$(nc_daemon_pid)
    if nc_daemon_view && [ -n "$nc_daemon_lack" ]; then
        nc_stale="the running nix-daemon, asked over its socket, lacks $nc_daemon_lack"
    elif [ -n "$nc_dpid" ]; then
        for nc_stale_file in "$nc_conf" "$nc_managed"; do
            if [ -e "$nc_stale_file" ] && nc_started_before "$nc_dpid" "$nc_stale_file"; then
                nc_stale="nix-daemon (process $nc_dpid) started before $nc_stale_file last changed, so it has not read it"
                return 0
            fi
        done
    elif [ -d "$nc_backup" ] && ! nc_daemon_current; then
        nc_stale="nix-daemon has not been restarted by nix-cache since the files last changed (its process cannot be seen here)"
    fi
}

# A fingerprint of the files $@ (their bytes, in order; a missing one counts as empty).
# scratch: nc_fp_file
nc_fingerprint() {
    for nc_fp_file in "$@"; do cat "$nc_fp_file" 2>/dev/null; printf '\n--\n'; done | cksum | awk '{print $1 "-" $2}'
}

# The daemon has read the config dir's files as they are now: the fingerprint a restart of this
# or an earlier apply recorded in the backup dir matches. Files written by an apply that was cut
# short before its restart, or under `restartDaemon: false`, leave it unmatched.
nc_daemon_current() {
    [ "$(cat "$nc_backup/$NC_DAEMON_RECORD" 2>/dev/null)" = "$(nc_fingerprint "$nc_conf" "$nc_managed")" ]
}

# Records that the daemon has read the config dir's files as they are now.
nc_daemon_loaded() {
    nc_fingerprint "$nc_conf" "$nc_managed" > "$nc_backup/$NC_DAEMON_RECORD" || warn "cannot write $nc_backup/$NC_DAEMON_RECORD"
}
