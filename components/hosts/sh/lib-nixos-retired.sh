# ---- nix-cache shell library: NixOS values no longer declared, in effect until a rebuild ----

# The declared settings, one `KIND VALUE` a line (root, always trusted, left out).
# scratch: nc_v
nc_declared_lines() {
    for nc_v in $NC_WANT_SUBSTITUTERS; do printf 'substituter %s\n' "${nc_v%/}"; done
    for nc_v in $NC_WANT_KEYS; do printf 'trusted-public-key %s\n' "$nc_v"; done
    for nc_v in $NC_WANT_USERS; do [ "$nc_v" = root ] || printf 'trusted-user %s\n' "$nc_v"; done
}

# Records what this apply declares in the backup dir's `declared`, and puts in nc_work/retired
# the values earlier applies declared and this one does not.
nc_note_retired() {
    nc_declared_lines > "$nc_work/declared"
    {
        [ ! -f "$nc_nixos_backup/declared" ] || grep -v -x -F -f "$nc_work/declared" "$nc_nixos_backup/declared"
        [ ! -f "$nc_nixos_backup/retired" ] || grep -v -x -F -f "$nc_work/declared" "$nc_nixos_backup/retired"
    } | sort -u > "$nc_work/retired"
    cp "$nc_work/declared" "$nc_nixos_backup/declared" || die "cannot write $nc_nixos_backup/declared"
}

# Of the values earlier applies declared and this one does not (the backup dir's `retired`),
# those the effective settings file $1 still has: a removed cache stays in effect until a
# rebuild takes the files in. One `KIND VALUE` a line.
# scratch: nc_option nc_k nc_v
nc_retired_in_effect() {
    [ -f "$nc_nixos_backup/retired" ] || return 0
    while IFS=' ' read -r nc_k nc_v; do
        case $nc_k in
            substituter) nc_option=substituters ;;
            trusted-public-key) nc_option=trusted-public-keys ;;
            *) nc_option=trusted-users ;;
        esac
        ! nc_has "$(nc_setting "$nc_option" "$1")" "$nc_v" || printf '%s %s\n' "$nc_k" "$nc_v"
    done < "$nc_nixos_backup/retired"
}

# Keeps as the backup dir's `retired` those values of nc_work/retired that the effective settings
# file $1 still has (verify reports them until a rebuild takes them out).
nc_keep_retired() {
    if ! { cp "$nc_work/retired" "$nc_nixos_backup/retired.new" && mv -f "$nc_nixos_backup/retired.new" "$nc_nixos_backup/retired"; }; then die "cannot write $nc_nixos_backup/retired"; fi
    nc_retired_in_effect "$1" > "$nc_work/retired"
    if [ -s "$nc_work/retired" ]; then mv -f "$nc_work/retired" "$nc_nixos_backup/retired"; else rm -f "$nc_nixos_backup/retired"; fi
}
