# ---- nix-cache shell library: transactional files: atomic writes, snapshots, backups and restores ----

# Whether file $1 is empty or ends with a newline.
nc_ends_nl() { [ ! -s "$1" ] || [ "$(tail -c 1 "$1" | od -An -tx1 | tr -d ' \n')" = 0a ]; }

# Whether files $1 and $2 hold the same text, ignoring a missing newline at the very end.
nc_same_text() {
    cmp -s "$1" "$2" && return 0
    { cat "$1"; nc_ends_nl "$1" || echo; } > "$nc_work/same.a"
    { cat "$2"; nc_ends_nl "$2" || echo; } > "$nc_work/same.b"
    cmp -s "$nc_work/same.a" "$nc_work/same.b"
}

# Puts the content of file $1 at $2 atomically (temporary file, then rename), keeping $2's
# mode and owner; a new $2 gets mode $3. Mode 600 marks a secret: its temporary file is made
# empty and private first, so the content is never in a file others can read, and stays 600.
# Returns 1 when $2 already holds exactly that.
# sets: nc_changed
# scratch: nc_tmp
nc_write() {
    if [ -f "$2" ] && cmp -s "$1" "$2"; then return 1; fi
    nc_tmp=$(nc_tmp_name "$2")
    if [ "$3" = 600 ]; then
        nc_private_file "$nc_tmp" "$2"
    elif [ -f "$2" ]; then
        cp -p "$2" "$nc_tmp" || die "cannot copy $2"
    else
        if ! (umask 077 && set -C && : > "$nc_tmp" && chmod "$3" "$nc_tmp"); then die "cannot create $nc_tmp"; fi
    fi
    cat "$1" > "$nc_tmp" || { rm -f "$nc_tmp"; die "cannot write $nc_tmp"; }
    mv -f "$nc_tmp" "$2" || { rm -f "$nc_tmp"; die "cannot rename $nc_tmp to $2"; }
    nc_changed="$nc_changed $2"
    return 0
}

# A temporary name next to file $1, unique to this run (a concurrent or killed run has its own).
nc_tmp_name() { printf '%s.nix-cache-tmp.%s' "$1" "$$"; }

# Creates $1 empty with mode 600 (never an existing file, never through a link), owned like $2
# when $2 exists and this runs as root.
nc_private_file() {
    rm -f "$1"
    (umask 077 && set -C && : > "$1") || die "cannot create $1"
    if [ -f "$2" ] && [ "$(id -u)" -eq 0 ]; then
        # shellcheck disable=SC2012 # ls -ln is the portable owner query (stat differs on macOS)
        chown "$(ls -ln "$2" | awk '{print $3 ":" $4}')" "$1" || { rm -f "$1"; die "cannot give $1 the owner of $2"; }
    fi
}

# Replaces $2 atomically with a copy of $1, mode and owner included (byte-for-byte restores).
# scratch: nc_tmp
nc_copy_into() {
    nc_tmp=$(nc_tmp_name "$2")
    rm -f "$nc_tmp"
    cp -p "$1" "$nc_tmp" && mv -f "$nc_tmp" "$2"
}

# sets: nc_changed
nc_remove() {
    if [ -e "$1" ] || [ -L "$1" ]; then
        rm -f "$1" || die "cannot remove $1"
        nc_changed="$nc_changed $1"
    fi
}

# Remembers file $1 under the name $2, for nc_put_back if this run fails.
nc_snapshot() {
    rm -f "$nc_work/prev.$2" "$nc_work/prev.$2.absent"
    if [ -f "$1" ]; then cp -p "$1" "$nc_work/prev.$2" || die "cannot copy $1"; else : > "$nc_work/prev.$2.absent"; fi
}

nc_put_back() {
    if [ -f "$nc_work/prev.$2" ]; then
        cmp -s "$nc_work/prev.$2" "$1" 2>/dev/null || nc_copy_into "$nc_work/prev.$2" "$1" || warn "could not put back $1"
    elif [ -f "$nc_work/prev.$2.absent" ]; then
        rm -f "$1"
    fi
}

# Keeps the host's own file $1 in backup dir $2 as $3 (or notes that there was none), the
# first time only: later runs must not take nix-cache's own version for the original.
nc_backup_once() {
    if [ -f "$2/$3" ] || [ -f "$2/$3.absent" ]; then return 0; fi
    if [ -f "$1" ]; then
        cp -p "$1" "$2/$3" || die "cannot back up $1"
    else
        : > "$2/$3.absent" || die "cannot write $2/$3.absent"
    fi
}

# Destroy for a file nix-cache added lines to. $1 = the file, $2/$3 = its backup, $4 = the file
# without nix-cache's lines, $5 = mode if it has to be created. The original comes back byte
# for byte unless someone else changed the file since; then only nix-cache's lines go.
# sets: nc_changed
nc_restore_edited() {
    if [ -f "$2/$3" ]; then
        if [ ! -f "$1" ] || nc_same_text "$4" "$2/$3"; then
            if ! cmp -s "$2/$3" "$1" 2>/dev/null; then
                nc_copy_into "$2/$3" "$1" || die "cannot restore $1"
                nc_changed="$nc_changed $1"
            fi
        else
            warn "$1 was edited after nix-cache first changed it: only nix-cache's lines were taken out"
            nc_write "$4" "$1" "$5" || :
        fi
    elif [ -f "$2/$3.absent" ] && [ ! -s "$4" ]; then
        nc_remove "$1"
    elif [ -f "$1" ]; then
        nc_write "$4" "$1" "$5" || :
    fi
}

# Destroy for a file nix-cache owns whole: the original back, or gone if there was none.
# sets: nc_changed
nc_restore_whole() {
    if [ -f "$2/$3" ]; then
        if ! cmp -s "$2/$3" "$1" 2>/dev/null; then
            nc_copy_into "$2/$3" "$1" || die "cannot restore $1"
            nc_changed="$nc_changed $1"
        fi
    else
        nc_remove "$1"
    fi
}
