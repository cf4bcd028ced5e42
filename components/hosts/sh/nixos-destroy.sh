# ---- destroy (kind nixos): the host's own files under /etc/nixos back, then nixos-rebuild ----
nc_nixos_dir
nc_lock "$nc_dir"
if [ ! -f "$nc_nixos_backup/managed-files" ]; then
    say "nothing to undo: nix-cache has not changed $nc_dir"
    exit 0
fi
nc_destroy_guard "$nc_nixos_backup" "$nc_dir"
nc_files=$(cat "$nc_nixos_backup/managed-files")

# Removing a glue the system configuration still imports would break the next rebuild: keep it.
nc_keep_glue=
# A file that does not parse might import it: kept too.
if [ ! -f "$nc_nixos_backup/cachix.nix" ]; then
    nc_importers > "$nc_work/importers"
    if [ -s "$nc_work/importers" ] || [ -n "$nc_parse_error" ]; then nc_keep_glue=yes; fi
fi

for nc_f in $nc_files; do nc_snapshot "$nc_dir/$nc_f" "$(nc_flat "$nc_f")"; done
nc_rollback() {
    for nc_f in $nc_files; do nc_put_back "$nc_dir/$nc_f" "$(nc_flat "$nc_f")"; done
    warn "put the previous files under $nc_dir back"
}
nc_in_commit=yes
for nc_f in $nc_files; do
    if [ "$nc_f" = cachix.nix ] && [ -n "$nc_keep_glue" ]; then continue; fi
    nc_restore_whole "$nc_dir/$nc_f" "$nc_nixos_backup" "$(nc_flat "$nc_f")"
done
if [ -f "$nc_nixos_backup/cachix-dir.absent" ] && [ -z "$nc_keep_glue" ]; then rmdir "$nc_dir/cachix" 2>/dev/null || :; fi
# Files nix-cache added to a git flake's index and has now removed leave the index too.
nc_git_forget_gone
if [ -n "$nc_changed" ] && [ "$NC_NIXOS_ACTION" != none ]; then
    say "running nixos-rebuild $NC_NIXOS_ACTION"
    nixos-rebuild "$NC_NIXOS_ACTION" > "$nc_work/rebuild.log" 2>&1 ||
        die "nixos-rebuild $NC_NIXOS_ACTION failed: $(nc_tail "$nc_work/rebuild.log")"
fi
nc_in_commit=
for nc_f in $nc_files; do rm -f "$nc_nixos_backup/$(nc_flat "$nc_f")" "$nc_nixos_backup/$(nc_flat "$nc_f").absent"; done
rm -f "$nc_nixos_backup/managed-files" "$nc_nixos_backup/cachix-dir.absent" "$nc_nixos_backup/$NC_DAEMON_RECORD" "$nc_nixos_backup/$NC_CONVERGED_RECORD" "$nc_nixos_backup/git-added" "$nc_nixos_backup/declared" "$nc_nixos_backup/retired"
rm -f "$nc_nixos_backup/$NC_OWNER_FILE"
rmdir "$nc_nixos_backup" 2>/dev/null || say "kept $nc_nixos_backup: it holds files nix-cache did not write"
if [ -n "$nc_keep_glue" ]; then
    say "kept $nc_dir/cachix.nix (now importing no nix-cache caches): the system configuration imports it${nc_parse_error:+ (or may: $nc_parse_error)}; remove that import, then the file"
fi
if [ -n "$nc_changed" ]; then say "undone:$nc_changed"; else say "nothing to undo: $nc_dir was already as before"; fi
