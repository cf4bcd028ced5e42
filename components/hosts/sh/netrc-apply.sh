# ---- netrc apply: the private cache's token, read from stdin, into the netrc Nix reads ----
# The token is never an argument or in the environment of another process: `cat` reads it,
# `printf` (a shell builtin) writes it into a file in a private directory. Stdin's first line is
# the token; the program may follow it with the netrc's marker (see sh/lib-state.sh).
nc_check_kind
nc_resolve_conf_dir "${1:-}"
nc_lock "$nc_conf_dir"
nc_check_owner "$nc_backup"
nc_stdin=$(cat)
nc_token=$(printf '%s\n' "$nc_stdin" | sed -n 1p)
nc_converge_marker=$(printf '%s\n' "$nc_stdin" | sed -n 2p)
nc_stdin=
[ -n "$nc_token" ] || die "no token arrived on stdin"
case $nc_token in
    *[!A-Za-z0-9._~+/=-]*) die "the token on stdin has characters a netrc line cannot hold (whitespace, quotes, ...)" ;;
esac

# Where: the same file as on the first run, or the netrc-file Nix reads.
if [ -f "$nc_backup/netrc.path" ]; then
    nc_netrc=$(cat "$nc_backup/netrc.path")
else
    nc_show "$nc_conf_dir" > "$nc_work/effective" 2> "$nc_work/errors" ||
        die "Nix cannot read its configuration: $(nc_head "$nc_work/errors")"
    nc_netrc=$(nc_setting netrc-file "$nc_work/effective")
    [ -n "$nc_netrc" ] || nc_netrc="$nc_conf_dir/netrc"
fi
case $nc_netrc in
    /*) ;;
    *) die "netrc-file is not an absolute path: '$nc_netrc'" ;;
esac
[ ! -L "$nc_netrc" ] || die "$nc_netrc is a symbolic link: not writing a token through it"
[ -d "$(dirname "$nc_netrc")" ] || die "the directory of $nc_netrc does not exist"

# Our machine first (curl uses the first entry for a host), then the host's own lines.
umask 077
nc_strip_machine "$nc_netrc" > "$nc_work/own" || die "cannot read $nc_netrc"
{ printf 'machine %s password %s\n' "$NC_NETRC_MACHINE" "$nc_token"; cat "$nc_work/own"; } > "$nc_work/netrc"

nc_snapshot "$nc_netrc" netrc
nc_new_backup=
nc_rollback() {
    nc_put_back "$nc_netrc" netrc
    if [ -n "$nc_new_backup" ]; then rm -f "$nc_backup/netrc.path" "$nc_backup/netrc" "$nc_backup/netrc.absent"; fi
    warn "put the previous $nc_netrc back"
}
nc_in_commit=yes
if [ ! -d "$nc_backup" ] && ! { mkdir -p "$nc_backup" && chmod 700 "$nc_backup"; }; then die "cannot create $nc_backup"; fi
nc_claim "$nc_backup"
if [ ! -f "$nc_backup/netrc.path" ]; then
    nc_new_backup=yes
    nc_backup_once "$nc_netrc" "$nc_backup" netrc
    printf '%s\n' "$nc_netrc" > "$nc_backup/netrc.path" || die "cannot write $nc_backup/netrc.path"
fi
nc_write "$nc_work/netrc" "$nc_netrc" 600 || :
chmod 600 "$nc_netrc" || die "cannot make $nc_netrc private"
nc_in_commit=
if [ -n "$nc_changed" ]; then
    say "netrc updated: $nc_netrc (machine $NC_NETRC_MACHINE)"
else
    say "no change: $nc_netrc already holds this token for $NC_NETRC_MACHINE"
fi
nc_record_converged "$nc_backup" "$nc_converge_marker" "$NC_NETRC_CONVERGED_RECORD"
