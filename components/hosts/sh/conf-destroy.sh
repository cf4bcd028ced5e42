# ---- destroy (kinds nix and user): nix.conf as it was, the managed file and backups gone ----
nc_resolve_conf_dir "${1:-}"
nc_lock "$nc_conf_dir"
nc_resolve_conf_file
nc_managed="$nc_conf_dir/$NC_MANAGED_NAME"
if [ ! -d "$nc_backup" ] && [ ! -e "$nc_managed" ] && ! grep -q -x -F "$NC_INCLUDE_2" "$nc_conf" 2>/dev/null; then
    say "nothing to undo: nix-cache has not changed $nc_conf_dir"
    exit 0
fi
nc_destroy_guard "$nc_backup" "$nc_conf_dir"
if [ -L "$nc_conf" ]; then die "$nc_conf is now a symbolic link (to $(readlink "$nc_conf")): not touching it"; fi

nc_strip_include "$nc_conf" > "$nc_work/own" || die "cannot read $nc_conf"
nc_snapshot "$nc_conf" conf
nc_snapshot "$nc_managed" managed
nc_rollback() {
    nc_put_back "$nc_conf" conf
    nc_put_back "$nc_managed" managed
    warn "put the previous $nc_conf and $nc_managed back"
}
nc_in_commit=yes
nc_restore_edited "$nc_conf" "$nc_backup" nix.conf "$nc_work/own" 644
nc_remove "$nc_managed"
nc_in_commit=

nc_created=
[ -f "$nc_backup/conf-dir.created" ] && nc_created=yes
rm -f "$nc_backup/nix.conf" "$nc_backup/nix.conf.absent" "$nc_backup/conf-file" "$nc_backup/conf-dir.created" "$nc_backup/$NC_DAEMON_RECORD" "$nc_backup/$NC_CONVERGED_RECORD"
nc_release_backup "$nc_backup"
# Removed at exit, once the lock is gone, if nothing else is in it.
if [ -n "$nc_created" ]; then nc_lock_made_dir=$nc_conf_dir; fi

if [ -f "$nc_conf" ] && command -v nix >/dev/null 2>&1 && ! nc_show "$nc_conf_dir" > /dev/null 2> "$nc_work/errors"; then
    warn "Nix rejects the restored configuration, which is the host's own: $(nc_head "$nc_work/errors")"
fi
if [ -n "$nc_changed" ] && [ "$NC_KIND" = nix ] && [ "$NC_RESTART_DAEMON" = yes ]; then
    nc_restart_daemon
    case $? in
        1) warn "restarting nix-daemon failed: restart it by hand" ;;
        2) nc_dpid=$(nc_daemon_pid); warn "no service manager nix-cache knows runs nix-daemon, so it still has nix-cache's settings; to drop them run: $(nc_daemon_restart_command)" ;;
    esac
fi
if [ -n "$nc_changed" ]; then say "undone:$nc_changed"; else say "nothing to undo: $nc_conf_dir was already as before"; fi
