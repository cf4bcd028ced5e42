# ---- apply (kind nixos): the `cachix use` layout under /etc/nixos, then nixos-rebuild ----
nc_converge_marker=$(nc_stdin_marker)
nc_check_kind
nc_nixos_dir
[ -d "$nc_dir" ] || die "$nc_dir does not exist"
nc_lock "$nc_dir"
nc_check_owner "$nc_nixos_backup"
[ "$nc_dir" = "$NC_NIXOS_DIR" ] || say "$NC_NIXOS_DIR/flake.nix is a symbolic link: nixos-rebuild builds the flake in $nc_dir, so nix-cache's files go there"

# The system configuration must import the glue, or nothing written here would take effect:
# Nix parses each file, so a comment or a string that mentions it does not count.
nc_importers > "$nc_work/importers"
[ -z "$nc_parse_error" ] || die "$nc_parse_error; so whether it imports ./cachix.nix cannot be told, and nothing was changed"
if [ ! -s "$nc_work/importers" ]; then
    die "no file in $nc_dir imports ./cachix.nix, so NixOS would not see these settings. Add \`imports = [ ./cachix.nix ];\` to $nc_dir/configuration.nix (or ./cachix.nix to your flake's modules), then apply again. Nothing was changed."
fi

# 1. The files as they should be; Nix must parse each one.
mkdir -p "$nc_work/new/cachix" || die "cannot write to $nc_work"
nc_write_nixos_files "$nc_work/new" || die "cannot write to $nc_work"
for nc_f in $NC_NIXOS_FILES; do
    nix-instantiate --parse "$nc_work/new/$nc_f" > /dev/null 2> "$nc_work/errors" ||
        die "$nc_f does not parse, so nothing was changed: $(nc_head "$nc_work/errors")"
done

# 2. Files managed by an earlier apply and no longer declared get their originals back.
nc_previous=
[ -f "$nc_nixos_backup/managed-files" ] && nc_previous=$(cat "$nc_nixos_backup/managed-files")
nc_retired=
for nc_f in $nc_previous; do
    nc_has "$NC_NIXOS_FILES" "$nc_f" || nc_retired="$nc_retired $nc_f"
done

# 3. Commit.
for nc_f in $NC_NIXOS_FILES $nc_retired; do nc_snapshot "$nc_dir/$nc_f" "$(nc_flat "$nc_f")"; done
nc_snapshot "$nc_nixos_backup/managed-files" managed-files
nc_snapshot "$nc_nixos_backup/$NC_DAEMON_RECORD" record
nc_snapshot "$nc_nixos_backup/git-added" git-added
nc_snapshot "$nc_nixos_backup/declared" declared
nc_snapshot "$nc_nixos_backup/retired" retired
nc_new_backup=
nc_new_cachix_dir=
nc_rebuilt=
nc_git_new=
nc_rollback() {
    for nc_f in $NC_NIXOS_FILES $nc_retired; do nc_put_back "$nc_dir/$nc_f" "$(nc_flat "$nc_f")"; done
    nc_put_back "$nc_nixos_backup/managed-files" managed-files
    for nc_f in $nc_git_new; do nc_git rm --cached --quiet --ignore-unmatch -- "$nc_f" > /dev/null 2>&1 || warn "could not take $nc_f out of git's index"; done
    nc_put_back "$nc_nixos_backup/git-added" git-added
    nc_put_back "$nc_nixos_backup/declared" declared
    nc_put_back "$nc_nixos_backup/retired" retired
    if [ -n "$nc_new_backup" ]; then rm -rf "$nc_nixos_backup"; fi
    if [ -n "$nc_new_cachix_dir" ]; then rmdir "$nc_dir/cachix" 2>/dev/null; fi
    warn "put the previous files under $nc_dir back"
    # The new configuration built, so the failure came with or after its activation: the previous
    # generation goes back (no second evaluation), and with it the record of what is in effect.
    if [ -n "$nc_rebuilt" ]; then
        if nixos-rebuild "$NC_NIXOS_ACTION" --rollback > "$nc_work/rebuild-back.log" 2>&1; then
            nc_put_back "$nc_nixos_backup/$NC_DAEMON_RECORD" record
            warn "nixos-rebuild $NC_NIXOS_ACTION --rollback: the previous generation is active again"
        else
            rm -f "$nc_nixos_backup/$NC_DAEMON_RECORD"
            warn "nixos-rebuild $NC_NIXOS_ACTION --rollback failed too: $(nc_tail "$nc_work/rebuild-back.log")"
        fi
    fi
}
nc_in_commit=yes
if [ ! -d "$nc_nixos_backup" ]; then
    mkdir -m 700 "$nc_nixos_backup" || die "cannot create $nc_nixos_backup"
    nc_new_backup=yes
fi
nc_claim "$nc_nixos_backup"
if [ ! -d "$nc_dir/cachix" ]; then
    mkdir "$nc_dir/cachix" || die "cannot create $nc_dir/cachix"
    nc_new_cachix_dir=yes
    [ -f "$nc_nixos_backup/cachix-dir.absent" ] || : > "$nc_nixos_backup/cachix-dir.absent"
fi
for nc_f in $NC_NIXOS_FILES; do
    nc_backup_once "$nc_dir/$nc_f" "$nc_nixos_backup" "$(nc_flat "$nc_f")"
    nc_write "$nc_work/new/$nc_f" "$nc_dir/$nc_f" 644 || :
done
for nc_f in $nc_retired; do
    nc_restore_whole "$nc_dir/$nc_f" "$nc_nixos_backup" "$(nc_flat "$nc_f")"
    rm -f "$nc_nixos_backup/$(nc_flat "$nc_f")" "$nc_nixos_backup/$(nc_flat "$nc_f").absent"
done
# shellcheck disable=SC2086 # one file per line
printf '%s\n' $NC_NIXOS_FILES > "$nc_work/managed-files"
nc_write "$nc_work/managed-files" "$nc_nixos_backup/managed-files" 600 || :
# A git flake sees only files git knows: each new one is added, each retired one taken out.
nc_git_forget_gone
nc_git_add_new
# Values declared before and not now stay in effect until a rebuild takes the files in: kept
# as `retired` for verify (none, boot) until they are gone from what Nix has in effect.
nc_note_retired

# 4. Rebuild when the files changed, when what Nix has in effect lacks anything declared
# (switch, test), or when no rebuild has taken in the files as they are now (an earlier apply
# cut short, or nixosRebuild was none); then check what Nix reads.
nc_show_system /etc/nix > "$nc_work/effective" 2> "$nc_work/errors" ||
    die "Nix cannot read its configuration: $(nc_head "$nc_work/errors")"
nc_lack=$(nc_missing "$nc_work/effective")
# shellcheck disable=SC2086 # one file per word
nc_built_for="$NC_NIXOS_ACTION $(cd "$nc_dir" && nc_fingerprint $NC_NIXOS_FILES)"
nc_why=
if [ -n "$nc_changed" ]; then
    nc_why="files changed"
elif [ -n "$nc_lack" ] && { [ "$NC_NIXOS_ACTION" = switch ] || [ "$NC_NIXOS_ACTION" = test ]; }; then
    nc_why="the effective configuration lacks $nc_lack"
elif [ "$(cat "$nc_nixos_backup/$NC_DAEMON_RECORD" 2>/dev/null)" != "$nc_built_for" ]; then
    nc_why="no nixos-rebuild $NC_NIXOS_ACTION has taken in the files as they are"
fi
if [ -n "$nc_why" ]; then
    case $NC_NIXOS_ACTION in
        none) [ -z "$nc_changed" ] || say "files changed; run \`nixos-rebuild switch\` to use them (nixosRebuild: none)" ;;
        *)
            command -v nixos-rebuild > /dev/null 2>&1 || die "nixos-rebuild is not on PATH"
            say "running nixos-rebuild $NC_NIXOS_ACTION: $nc_why"
            # Built first (its result link in the work dir): a configuration that does not build
            # gets its files put back with nothing activated and nothing to roll back.
            (cd "$nc_work" && nixos-rebuild build) > "$nc_work/rebuild.log" 2>&1 ||
                die "nixos-rebuild build failed, so nothing was activated: $(nc_tail "$nc_work/rebuild.log")"
            nc_rebuilt=yes
            nixos-rebuild "$NC_NIXOS_ACTION" > "$nc_work/rebuild.log" 2>&1 ||
                die "nixos-rebuild $NC_NIXOS_ACTION failed: $(nc_tail "$nc_work/rebuild.log")"
            printf '%s\n' "$nc_built_for" > "$nc_nixos_backup/$NC_DAEMON_RECORD" || die "cannot write $nc_nixos_backup/$NC_DAEMON_RECORD"
            nc_show_system /etc/nix > "$nc_work/effective" 2> "$nc_work/errors" ||
                die "Nix cannot read its configuration: $(nc_head "$nc_work/errors")"
            nc_lack=$(nc_missing "$nc_work/effective")
            ;;
    esac
fi
nc_keep_retired "$nc_work/effective"
case $NC_NIXOS_ACTION in
    switch | test)
        [ -z "$nc_lack" ] || die "after nixos-rebuild $NC_NIXOS_ACTION the effective configuration lacks: $nc_lack"
        ;;
    *)
        nc_until=$( [ "$NC_NIXOS_ACTION" = boot ] && echo reboot || echo 'nixos-rebuild switch')
        [ -z "$nc_lack" ] || say "pending: the effective configuration lacks $nc_lack until the next $nc_until"
        [ ! -f "$nc_nixos_backup/retired" ] || say "pending: no longer declared, still in effect until the next $nc_until: $(tr '\n' ';' < "$nc_nixos_backup/retired" | sed 's/;$//; s/;/; /g')"
        ;;
esac
nc_in_commit=
if [ -n "$nc_changed" ]; then
    say "changed:$nc_changed"
else
    say "no change: the files under $nc_dir are already as declared"
fi
nc_apply_done "$nc_nixos_backup"
