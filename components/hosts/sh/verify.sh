# ---- verify: compares the host with what is declared; changes nothing ----
# Prints `nix-cache-check STATUS ITEM: DETAIL` lines (STATUS ok, drift or pending) and the
# effective settings; exits 3 when anything drifted.
# Read first, before anything else could read stdin: a read's salt (see sh/lib-state.sh).
nc_salt=$(nc_stdin_salt)
nc_drift=
nc_check() {
    printf 'nix-cache-check %s %s: %s\n' "$1" "$2" "$3"
    if [ "$1" = drift ]; then nc_drift=yes; fi
}
# Whether the host's file $2 holds the declared content, built in file $1.
nc_check_file() {
    if cmp -s "$1" "$2"; then
        nc_check ok file "$2"
    elif [ -f "$2" ]; then
        nc_check drift file "$2 differs from the declared content"
    else
        nc_check drift file "$2 is missing"
    fi
}
nc_finish() {
    if [ -n "$nc_drift" ]; then exit 3; fi
    exit 0
}

nc_problem=$(nc_kind_problem)
if [ -n "$nc_problem" ]; then
    nc_check drift kind "$nc_problem"
    nc_finish
fi
nc_check ok kind "$NC_KIND"
if ! command -v nix > /dev/null 2>&1; then
    nc_check drift nix "nix is not installed or not on PATH"
    nc_finish
fi
nc_resolve_conf_dir "${1:-}"
# Read while no apply or destroy is half-way through.
nc_o=
if [ "$NC_KIND" = nixos ]; then
    # nc_backup is the config dir's (the netrc's); nc_dir is where the NixOS files live.
    nc_nixos_dir
    nc_lock "$nc_dir"
    nc_o=$(nc_other_owner "$nc_nixos_backup")
else
    nc_lock "$nc_conf_dir"
fi
[ -n "$nc_o" ] || nc_o=$(nc_other_owner "$nc_backup")
if [ -n "$nc_o" ]; then nc_check drift owner "the files are managed by $nc_o, not $NC_OWNER"; fi

case $NC_KIND in
    nixos)
        if ! { mkdir -p "$nc_work/new/cachix" && nc_write_nixos_files "$nc_work/new"; }; then die "cannot write to $nc_work"; fi
        for nc_f in $NC_NIXOS_FILES; do
            nc_check_file "$nc_work/new/$nc_f" "$nc_dir/$nc_f"
        done
        nc_importers > "$nc_work/importers"
        if [ -n "$nc_parse_error" ]; then
            nc_check drift import "$nc_parse_error"
        elif [ -s "$nc_work/importers" ]; then
            nc_check ok import "$(tr '\n' ' ' < "$nc_work/importers")imports ./cachix.nix"
        else
            nc_check drift import "no file in $nc_dir imports ./cachix.nix"
        fi
        ;;
    *)
        nc_resolve_conf_file
        nc_managed="$nc_conf_dir/$NC_MANAGED_NAME"
        nc_write_managed_conf "$nc_work/managed" "$nc_conf_dir" || die "cannot write to $nc_work"
        nc_check_file "$nc_work/managed" "$nc_managed"
        if ! grep -q -x -F "$NC_INCLUDE_2" "$nc_conf" 2>/dev/null; then
            nc_check drift include "$nc_conf does not include $NC_MANAGED_NAME"
        elif nc_conf_as_declared "$nc_conf" > "$nc_work/conf" && ! cmp -s "$nc_work/conf" "$nc_conf"; then
            nc_check drift include "$nc_conf has lines after its include of $NC_MANAGED_NAME (as \`cachix use\` leaves it), which can override it"
        else
            nc_check ok include "$nc_conf includes $NC_MANAGED_NAME"
        fi
        if [ "$NC_KIND" = user ]; then
            nc_problem=$(nc_user_trust_problem)
            if [ -n "$nc_problem" ]; then nc_check drift trust "$nc_problem"; else nc_check ok trust "the daemon honours this user's substituters"; fi
        fi
        ;;
esac

# What Nix actually reads (for `user` hosts: as the user, with the user's own nix.conf).
if ! nc_show "$nc_conf_dir" > "$nc_work/effective" 2> "$nc_work/errors"; then
    nc_check drift effective "Nix cannot read its configuration: $(nc_head "$nc_work/errors" | tr '\n' ' ')"
    nc_finish
fi
nc_lack=$(nc_missing "$nc_work/effective")
nc_gone=
if [ "$NC_KIND" = nixos ] && { [ "$NC_NIXOS_ACTION" = none ] || [ "$NC_NIXOS_ACTION" = boot ]; }; then
    # Values no longer declared stay in effect until a rebuild takes the files in.
    nc_gone=$(nc_retired_in_effect "$nc_work/effective" | tr '\n' ';' | sed 's/;$//; s/;/; /g')
    [ -z "$nc_gone" ] || nc_check pending effective "no longer declared, still in effect (nixosRebuild: $NC_NIXOS_ACTION): $nc_gone"
fi
if [ -z "$nc_lack" ]; then
    [ -n "$nc_gone" ] || nc_check ok effective "every declared substituter, key and trusted user is in effect"
elif [ "$NC_KIND" = nixos ] && { [ "$NC_NIXOS_ACTION" = none ] || [ "$NC_NIXOS_ACTION" = boot ]; }; then
    nc_check pending effective "not yet in effect (nixosRebuild: $NC_NIXOS_ACTION): $nc_lack"
else
    nc_check drift effective "missing $nc_lack"
fi
# The daemon: what it reports over its socket and when it started (see nc_daemon_staleness).
if [ "$NC_KIND" = nix ]; then
    nc_daemon_staleness
    if [ ! -S "$(nc_daemon_socket)" ]; then
        nc_check ok daemon "no nix-daemon listens on $(nc_daemon_socket): Nix reads the files directly (checked above)"
    elif [ -z "$nc_stale" ]; then
        nc_check ok daemon "the running nix-daemon has the files as they are${nc_daemon_note:+ ($nc_daemon_note)}"
    elif [ "$NC_RESTART_DAEMON" = yes ] && [ -n "$(nc_daemon_manager)" ]; then
        nc_check drift daemon "$nc_stale: the next apply restarts it"
    else
        nc_check pending daemon "$(nc_daemon_pending "$nc_stale")"
    fi
fi

if [ -n "$NC_NETRC_MACHINE" ]; then
    if [ -f "$nc_backup/netrc.path" ]; then
        nc_netrc=$(cat "$nc_backup/netrc.path")
    else
        nc_netrc=$(nc_setting netrc-file "$nc_work/effective")
    fi
    if [ ! -f "$nc_netrc" ]; then
        nc_check drift netrc "$nc_netrc is missing"
    elif ! grep -q "^machine $NC_NETRC_MACHINE password " "$nc_netrc" 2>/dev/null; then
        nc_check drift netrc "$nc_netrc has no token for $NC_NETRC_MACHINE"
    elif [ -n "$(find "$nc_netrc" -prune ! -perm 600)" ]; then
        nc_check drift netrc "$nc_netrc is readable by others than its owner"
    else
        nc_check ok netrc "$nc_netrc holds a token for $NC_NETRC_MACHINE"
    fi
fi
# Given a salt, the state the program compares with the declaration (see sh/lib-state.sh).
if [ -n "$nc_salt" ]; then nc_state_report "$nc_salt" "${nc_nixos_backup:-$nc_backup}" "$nc_backup" "${nc_netrc:-}"; fi
nc_report "$nc_work/effective"
nc_finish
