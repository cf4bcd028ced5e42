# ---- nix-cache shell library: the state a run of `pulumi preview` or `up` reads from a host ----
# The program reads each host once per run (the verify script, given a salt) and compares what
# it finds with the declaration; only a host that differs gets a changed input. What it
# compares is printed as `nix-cache-state NAME VALUE` lines; the netrc token only as a salted
# digest, which the program compares with the declared token's.

# The marker recorded as file $2 in backup dir $1 (see nc_record_converged), empty when none was.
nc_converged_marker() { sed -n 1p "$1/$2" 2>/dev/null; }

# The salt of a read of the host's state: a line `salt:HEX` after the scripts on stdin (see
# components/hosts/hostRead.ts); empty for any other run.
nc_stdin_salt() {
    [ ! -t 0 ] || return 0
    sed -n 's/^salt:\([0-9a-f][0-9a-f]*\)$/\1/p' | sed -n 1p
}

# The marker the settings command runs with: the first line of its stdin (none from a terminal:
# a script run by hand). The netrc command's follows the token (see sh/netrc-apply.sh).
nc_stdin_marker() {
    [ ! -t 0 ] || return 0
    sed -n 1p
}

# Records marker $2 as file $3 in backup dir $1: a healthy host then reads back the very value its
# command holds in the stack, so the next run finds nothing to change.
# scratch: nc_at
nc_record_converged() {
    [ -n "$2" ] || return 0
    [ "$(nc_converged_marker "$1" "$3")" != "$2" ] || return 0
    nc_at="$1/$3"
    if ! { printf '%s\n' "$2" > "$nc_at.new" && mv -f "$nc_at.new" "$nc_at"; }; then warn "cannot write $nc_at"; fi
}

# The SHA-256 of stdin, in hex (empty when the host has no tool for it).
nc_sha256() {
    if command -v sha256sum > /dev/null 2>&1; then
        sha256sum | cut -d ' ' -f 1
    elif command -v shasum > /dev/null 2>&1; then
        shasum -a 256 | cut -d ' ' -f 1
    elif command -v openssl > /dev/null 2>&1; then
        openssl dgst -sha256 -r | cut -d ' ' -f 1
    else
        cat > /dev/null
    fi
}

# The state lines: the settings' marker recorded in backup dir $2 and, for a private cache, the
# netrc's in backup dir $3 and, when netrc file $4 holds a token for NC_NETRC_MACHINE, the
# SHA-256 of salt $1 followed by that token. The token itself is never printed, an argument, or
# in the environment: awk reads it, printf (a builtin) pipes it.
# scratch: nc_t
nc_state_report() {
    printf 'nix-cache-state converged %s\n' "$(nc_converged_marker "$2" "$NC_CONVERGED_RECORD")"
    [ -n "$NC_NETRC_MACHINE" ] || return 0
    printf 'nix-cache-state netrc-converged %s\n' "$(nc_converged_marker "$3" "$NC_NETRC_CONVERGED_RECORD")"
    [ -f "$4" ] || return 0
    nc_t=$(awk -v nc_p="machine $NC_NETRC_MACHINE password " 'index($0, nc_p) == 1 { print substr($0, length(nc_p) + 1); exit }' "$4")
    [ -n "$nc_t" ] || return 0
    printf 'nix-cache-state netrc-token %s\n' "$(printf '%s%s' "$1" "$nc_t" | nc_sha256)"
    nc_t=
}

# nix.conf $1 as apply writes it: the host's own lines, then the include, last (a tool that
# appends after it, as `cachix use` does, would override the managed file).
nc_conf_as_declared() {
    nc_strip_include "$1" || return 1
    printf '%s\n' "$NC_INCLUDE_1" "$NC_INCLUDE_2"
}

# The end of a settings apply, its backup dir $1: records the run's marker (nc_converge_marker,
# read from stdin when it started), then prints the effective settings the outputs come from.
nc_apply_done() {
    nc_record_converged "$1" "$nc_converge_marker" "$NC_CONVERGED_RECORD"
    nc_report "$nc_work/effective"
}
