# ---- apply (kinds nix and user): the managed file, included once at the end of nix.conf ----
nc_converge_marker=$(nc_stdin_marker)
nc_check_kind
nc_resolve_conf_dir "${1:-}"
nc_lock "$nc_conf_dir" create
nc_resolve_conf_file
nc_managed="$nc_conf_dir/$NC_MANAGED_NAME"
nc_check_owner "$nc_backup"
if [ -L "$nc_conf" ]; then
    die "$nc_conf is a symbolic link (to $(readlink "$nc_conf")): something else manages it (NixOS, home-manager, nix-darwin); declare the caches there, or use kind nixos"
fi
if [ -e "$nc_conf" ] && [ ! -f "$nc_conf" ]; then die "$nc_conf is not a regular file"; fi
if [ "$NC_KIND" = user ]; then
    nc_problem=$(nc_user_trust_problem)
    [ -z "$nc_problem" ] || die "$nc_problem; nothing was changed"
fi

# 1. The files as they should be, built in the work dir.
nc_write_managed_conf "$nc_work/managed" "$nc_conf_dir" || die "cannot write to $nc_work"
nc_conf_as_declared "$nc_conf" > "$nc_work/nix.conf" || die "cannot read $nc_conf"

# 2. Nix itself reads them, from a copy of the config dir, before anything on the host changes.
mkdir "$nc_work/candidate" || die "cannot write to $nc_work"
if [ -d "$nc_conf_dir" ]; then
    cp -pR "$nc_conf_dir/." "$nc_work/candidate/" || die "cannot copy $nc_conf_dir"
    rm -rf "$nc_work/candidate/$NC_BACKUP_NAME" "$nc_work/candidate/$NC_LOCK_NAME"
fi
if ! cp "$nc_work/nix.conf" "$nc_work/candidate/${nc_conf##*/}" || ! cp "$nc_work/managed" "$nc_work/candidate/$NC_MANAGED_NAME"; then
    die "cannot write to $nc_work"
fi
if ! nc_show "$nc_work/candidate" > "$nc_work/effective" 2> "$nc_work/errors"; then
    die "Nix rejects the new configuration, so nothing was changed: $(nc_head "$nc_work/errors")"
fi
nc_lack=$(nc_missing "$nc_work/effective")
[ -z "$nc_lack" ] || die "with the new files Nix would still lack: $nc_lack; so nothing was changed (does NIX_CONFIG or a later include override them?)"

# 3. Commit: the host's originals are kept once; then each file is replaced atomically.
nc_snapshot "$nc_conf" conf
nc_snapshot "$nc_managed" managed
nc_new_backup=
# The lock made a missing config dir; this run keeps it only once it has written there.
nc_new_dir=$nc_lock_made_dir
nc_restarted=
nc_rollback() {
    nc_put_back "$nc_conf" conf
    nc_put_back "$nc_managed" managed
    if [ -n "$nc_new_backup" ]; then rm -rf "$nc_backup"; fi
    if [ -n "$nc_restarted" ]; then nc_restart_daemon > /dev/null || warn "restarting nix-daemon again failed"; fi
    warn "put the previous $nc_conf and $nc_managed back"
}
nc_in_commit=yes
nc_lock_made_dir=
if [ ! -d "$nc_backup" ]; then
    mkdir -m 700 "$nc_backup" || die "cannot create $nc_backup"
    nc_new_backup=yes
    if [ -n "$nc_new_dir" ]; then : > "$nc_backup/conf-dir.created"; fi
fi
nc_backup_once "$nc_conf" "$nc_backup" nix.conf
[ -f "$nc_backup/conf-file" ] || printf '%s\n' "$nc_conf" > "$nc_backup/conf-file" || die "cannot write $nc_backup/conf-file"
nc_claim "$nc_backup"
nc_write "$nc_work/managed" "$nc_managed" 644 || :
nc_write "$nc_work/nix.conf" "$nc_conf" 644 || :

# 4. What Nix reads now must hold everything declared.
if ! nc_show "$nc_conf_dir" > "$nc_work/effective" 2> "$nc_work/errors"; then
    die "Nix rejects the configuration as written: $(nc_head "$nc_work/errors")"
fi
nc_lack=$(nc_missing "$nc_work/effective")
[ -z "$nc_lack" ] || die "the effective configuration lacks: $nc_lack"

# 5. Only now the daemon reads it again: after a change, or when the running daemon has not
# the files as they are (it reports lacking something, or started before they last changed:
# an apply cut short before its restart, restartDaemon was false, a daemon started from other
# files). A daemon restarted by anyone, any way, since then has them.
if [ "$NC_KIND" = nix ]; then
    nc_daemon_note=
    nc_daemon_staleness
    nc_why=$nc_stale
    # A service manager's daemon may be started on demand, so it restarts whenever files change.
    if [ -n "$nc_changed" ] && { [ -S "$(nc_daemon_socket)" ] || [ -n "$(nc_daemon_manager)" ]; }; then nc_why="the files changed"; fi
    if [ -n "$nc_why" ] && [ "$NC_RESTART_DAEMON" = yes ] && [ -n "$(nc_daemon_manager)" ]; then
        say "restarting nix-daemon: $nc_why"
        nc_restarted=yes
        nc_restart_daemon || die "restarting nix-daemon failed"
        nc_daemon_loaded
        # Restarted: the daemon must now have everything it can be asked about.
        if nc_daemon_view && [ -n "$nc_daemon_lack" ]; then
            die "nix-daemon was restarted, but the running daemon still lacks: $nc_daemon_lack (does it read a config dir other than $nc_conf_dir?)"
        fi
    elif [ -n "$nc_why" ]; then
        say "pending: $(nc_daemon_pending "$nc_why")"
    elif [ -n "$nc_changed" ]; then
        say "no nix-daemon runs here (no socket): Nix reads the files directly"
    fi
    nc_daemon_say_note
fi
nc_in_commit=
if [ -n "$nc_changed" ]; then
    say "changed:$nc_changed"
else
    say "no change: $nc_conf and $nc_managed are already as declared"
fi
nc_apply_done "$nc_backup"
