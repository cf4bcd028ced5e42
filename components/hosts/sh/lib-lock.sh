# ---- nix-cache shell library: one run at a time, and which stack owns the files ----

# One run at a time per directory $1 (its config dir): the lock is a symbolic link whose target
# names the holder, `PID@HOST`, made atomically by `ln -s`. A holder that is gone (killed) is
# detected and its lock and temporary files removed; a live one is waited for up to
# NC_LOCK_WAIT seconds, then this run is refused before changing anything. With `create`, a
# missing $1 is made first (and removed again at exit when the run left nothing in it);
# without, a missing $1 needs no lock.
# sets: nc_locked nc_lock_made_dir
# scratch: nc_lock_path nc_lock_id nc_waited nc_holder
nc_lock() {
    if [ ! -d "$1" ]; then
        [ "${2:-}" = create ] || return 0
        mkdir -p "$1" || die "cannot create $1"
        nc_lock_made_dir=$1
    fi
    nc_lock_path="$1/$NC_LOCK_NAME"
    nc_lock_id="$$@$nc_host"
    nc_waited=0
    until ln -s "$nc_lock_id" "$nc_lock_path" 2>/dev/null; do
        nc_holder=$(readlink "$nc_lock_path" 2>/dev/null)
        if [ -z "$nc_holder" ]; then
            [ ! -e "$nc_lock_path" ] || die "$nc_lock_path is not a nix-cache lock (not a symbolic link): remove it"
            continue
        fi
        if nc_holder_gone "$nc_holder"; then
            nc_break_lock "$1" "$nc_holder"
            continue
        fi
        if [ "$nc_waited" -ge "$NC_LOCK_WAIT" ]; then
            die "another nix-cache run (process $nc_holder) has held $nc_lock_path for over ${NC_LOCK_WAIT}s, so nothing was changed: apply again when it is done (if no nix-cache run is left on the host, remove $nc_lock_path)"
        fi
        sleep 1
        nc_waited=$((nc_waited + 1))
    done
    nc_locked=$nc_lock_path
}

# Whether the lock holder $1 (`PID@HOST`) is a process of this host that no longer runs. A
# holder on another host (a shared home directory) is never taken for gone.
# scratch: nc_pid
nc_holder_gone() {
    [ "${1#*@}" = "$nc_host" ] || return 1
    nc_pid=${1%%@*}
    case $nc_pid in '' | *[!0-9]*) return 1 ;; esac
    kill -0 "$nc_pid" 2>/dev/null && return 1
    # kill -0 also fails for a live process of another user: ask /proc or ps.
    if [ -d /proc/1 ]; then [ ! -d "/proc/$nc_pid" ]; return; fi
    command -v ps > /dev/null 2>&1 || return 1
    ! ps -p "$nc_pid" > /dev/null 2>&1
}

# Removes the lock in dir $1 of the gone holder $2 and that run's temporary files. Breakers
# take turns (mkdir is atomic) and look again inside, so a lock just taken by a live run stays.
nc_break_lock() {
    if ! mkdir "$1/$NC_LOCK_NAME.break" 2>/dev/null; then
        # A breaker killed in this short step leaves its directory behind: old ones are gone.
        find "$1/$NC_LOCK_NAME.break" -prune -mmin +1 -exec rmdir {} \; 2>/dev/null
        sleep 1
        return 0
    fi
    if [ "$(readlink "$1/$NC_LOCK_NAME" 2>/dev/null)" = "$2" ]; then
        rm -f "$1/$NC_LOCK_NAME"
        find "$1" -maxdepth 3 -name "*.nix-cache-tmp.${2%%@*}" -exec rm -f {} + 2>/dev/null
        warn "removed the lock of nix-cache process $2, which no longer runs; its run was cut short, and this one converges the host"
    fi
    rmdir "$1/$NC_LOCK_NAME.break"
}

# Releases the lock at exit (see the prelude's trap).
# sets: nc_locked
nc_unlock() {
    if [ -n "$nc_locked" ] && [ "$(readlink "$nc_locked" 2>/dev/null)" = "$$@$nc_host" ]; then rm -f "$nc_locked"; fi
    nc_locked=
    if [ -n "$nc_lock_made_dir" ]; then rmdir "$nc_lock_made_dir" 2>/dev/null; fi
    return 0
}

# Who, other than this run's owner, manages the files backed up in dir $1 (empty: nobody else).
# Files applied before owners were stamped carry none, and are taken on by the next apply.
# scratch: nc_stamp
nc_other_owner() {
    [ -n "$NC_OWNER" ] && [ -f "$1/$NC_OWNER_FILE" ] || return 0
    nc_stamp=$(cat "$1/$NC_OWNER_FILE")
    [ "$nc_stamp" = "$NC_OWNER" ] || printf '%s' "$nc_stamp"
}

# Refuses, before anything changes, to touch files another owner manages (backup dir $1).
# scratch: nc_other
nc_check_owner() {
    nc_other=$(nc_other_owner "$1")
    [ -z "$nc_other" ] || die "the files here are managed by $nc_other (project/stack/host), not $NC_OWNER, so nothing was changed: remove the host from that stack first (\`pulumi destroy\` there, or drop its hosts entry and \`pulumi up\`), then apply again"
}

# The guard every destroy runs first: files in backup dir $1 that another owner manages stay as
# they are, and the destroy ends here, successfully, saying so ($2 names what it would undo).
# scratch: nc_other
nc_destroy_guard() {
    nc_other=$(nc_other_owner "$1")
    [ -n "$nc_other" ] || return 0
    say "nothing to undo for $NC_OWNER: $2 is managed by $nc_other, whose files stay as they are"
    exit 0
}

# Stamps this run's owner in backup dir $1.
nc_claim() {
    if [ -z "$NC_OWNER" ] || [ "$(cat "$1/$NC_OWNER_FILE" 2>/dev/null)" = "$NC_OWNER" ]; then return 0; fi
    printf '%s\n' "$NC_OWNER" > "$1/$NC_OWNER_FILE" || die "cannot write $1/$NC_OWNER_FILE"
}

# Removes backup dir $1 once it holds nothing but the owner stamp; says what kept it otherwise.
nc_release_backup() {
    [ -d "$1" ] || return 0
    if [ "$(ls -A "$1")" = "$NC_OWNER_FILE" ]; then rm -f "$1/$NC_OWNER_FILE"; fi
    rmdir "$1" 2>/dev/null || say "kept $1: it still holds originals of other nix-cache files (removed with them)"
}
