# ---- netrc destroy: the host's own netrc back (or none, if it had none) ----
nc_resolve_conf_dir "${1:-}"
nc_lock "$nc_conf_dir"
if [ ! -f "$nc_backup/netrc.path" ]; then
    say "nothing to undo: nix-cache wrote no netrc here"
    exit 0
fi
nc_destroy_guard "$nc_backup" "the netrc"
nc_netrc=$(cat "$nc_backup/netrc.path")
umask 077
nc_strip_machine "$nc_netrc" > "$nc_work/own" || die "cannot read $nc_netrc"
nc_snapshot "$nc_netrc" netrc
nc_rollback() {
    nc_put_back "$nc_netrc" netrc
    warn "put the previous $nc_netrc back"
}
nc_in_commit=yes
nc_restore_edited "$nc_netrc" "$nc_backup" netrc "$nc_work/own" 600
nc_in_commit=
rm -f "$nc_backup/netrc" "$nc_backup/netrc.absent" "$nc_backup/netrc.path" "$nc_backup/$NC_NETRC_CONVERGED_RECORD"
nc_release_backup "$nc_backup" > /dev/null
if [ -n "$nc_changed" ]; then say "undone:$nc_changed"; else say "nothing to undo: $nc_netrc was already as before"; fi
