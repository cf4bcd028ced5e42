# ---- nix-cache shell library: functions; a script carries only those it calls ----
# Every top-level line here belongs to a function (with the comment above it): scripts get a
# function only when they, or a function they get, call it by name.

# The first lines of a log, for an error message.
nc_head() { sed -n '1,20p' "$1" 2>/dev/null; }

# The last lines of a log, where nixos-rebuild and Nix put the error that stopped them.
nc_tail() { tail -n 20 "$1" 2>/dev/null; }

nc_is_nixos() { [ -e /run/current-system/nixos-version ] || [ -e /etc/NIXOS ]; }

# Which installer set up Nix here, judged by what each leaves ($1: the Nix config dir): nixos,
# determinate (its receipt, its daemon, or nix.conf including nix.custom.conf), debian (the
# nix-bin package), official (a default profile in /nix without those), or unknown.
nc_installer() {
    if nc_is_nixos; then
        echo nixos
    elif [ -e /nix/receipt.json ] || command -v determinate-nixd > /dev/null 2>&1 ||
        grep -q -x -E '!?include[[:space:]]+nix\.custom\.conf' "$1/nix.conf" 2>/dev/null; then
        echo determinate
    elif command -v dpkg-query > /dev/null 2>&1 && dpkg-query -W -f '${Status}' nix-bin 2>/dev/null | grep -q 'ok installed'; then
        echo debian
    elif [ -d /nix/var/nix/profiles/default ]; then
        echo official
    else
        echo unknown
    fi
}

# Why this host cannot be managed as NC_KIND (empty when it can).
nc_kind_problem() {
    case $NC_KIND in
        nixos)
            nc_is_nixos || echo "this host is not NixOS (no /run/current-system/nixos-version): use kind nix or user"
            ;;
        nix)
            ! nc_is_nixos || echo "this host is NixOS, whose nix.conf is generated from the system configuration: use kind nixos"
            ;;
    esac
}

nc_check_kind() {
    nc_problem=$(nc_kind_problem)
    [ -z "$nc_problem" ] || die "$nc_problem"
    if [ "$NC_KIND" != user ] && [ "$(id -u)" -ne 0 ]; then
        die "kind $NC_KIND changes system files and needs root, but this runs as $(id -un)"
    fi
    command -v nix >/dev/null 2>&1 || die "nix is not installed or not on PATH ($PATH)"
}

# The effective settings, as Nix prints them. `nix config show` replaced `nix show-config` in
# Nix 2.20; older versions only know the latter.
nc_nix_show() {
    case "$(nix --version 2>/dev/null)" in
        *" 2."[2-9][0-9]* | *" 3."*) nix --extra-experimental-features nix-command config show ;;
        *) nix --extra-experimental-features nix-command show-config ;;
    esac
}

# Effective settings of the Nix config dir $1 as the daemon reads them: no user config files,
# no NIX_CONFIG.
nc_show_system() {
    (
        unset NIX_CONFIG
        NIX_CONF_DIR=$1
        NIX_USER_CONF_FILES="$1/.nix-cache-no-user-config"
        export NIX_CONF_DIR NIX_USER_CONF_FILES
        nc_nix_show
    )
}

# Effective settings of the login user: the system config, then the user's nix.conf $1.
nc_show_user() {
    (
        unset NIX_CONFIG
        NIX_USER_CONF_FILES=$1
        export NIX_USER_CONF_FILES
        nc_nix_show
    )
}

# The effective settings this host kind is judged by, for the config dir $1.
nc_show() {
    if [ "$NC_KIND" = user ]; then nc_show_user "$1/nix.conf"; else nc_show_system "$1"; fi
}

# The value of setting $1 in the effective settings file $2.
nc_setting() { sed -n "s/^$1 = *//p" "$2" | sed -n 1p; }

# Whether the space-separated list $1 holds $2 (URLs compared without a trailing slash).
nc_has() {
    for nc_w in $1; do
        [ "${nc_w%/}" = "${2%/}" ] && return 0
    done
    return 1
}

# What the effective settings file $1 lacks of the declared settings ("" when nothing).
nc_missing() {
    nc_m=
    nc_list=$(nc_setting substituters "$1")
    for nc_x in $NC_WANT_SUBSTITUTERS; do nc_has "$nc_list" "$nc_x" || nc_m="$nc_m; substituter $nc_x"; done
    nc_list=$(nc_setting trusted-public-keys "$1")
    for nc_x in $NC_WANT_KEYS; do nc_has "$nc_list" "$nc_x" || nc_m="$nc_m; trusted-public-key $nc_x"; done
    nc_list=$(nc_setting trusted-users "$1")
    for nc_x in $NC_WANT_USERS; do nc_has "$nc_list" "$nc_x" || nc_m="$nc_m; trusted-user $nc_x"; done
    printf '%s' "${nc_m#; }"
}

# The lines the component reads its outputs from: each list once per entry (Nix repeats an
# entry both the system and a user's nix.conf list; URLs compared without a trailing slash).
nc_report() {
    for nc_s in substituters trusted-public-keys trusted-users; do
        printf 'nix-cache-effective %s = %s\n' "$nc_s" "$(nc_setting "$nc_s" "$1" | nc_unique_words)"
    done
}

# The words of stdin, each once (the first of those equal but for a trailing slash), on one line.
nc_unique_words() {
    awk '{ for (i = 1; i <= NF; i++) { k = $i; sub(/\/$/, "", k); if (!(k in seen)) { seen[k] = 1; out = out (out == "" ? "" : " ") $i } } } END { print out }'
}

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
nc_copy_into() {
    nc_tmp=$(nc_tmp_name "$2")
    rm -f "$nc_tmp"
    cp -p "$1" "$nc_tmp" && mv -f "$nc_tmp" "$2"
}

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

# The directory holding nix.conf for this kind. $1 is NIX_CONF_DIR of the login session, passed
# as an argument because sudo resets the environment.
nc_resolve_conf_dir() {
    case $NC_KIND in
        user) nc_conf_dir="${XDG_CONFIG_HOME:-$HOME/.config}/nix" ;;
        nixos) nc_conf_dir=/etc/nix ;;
        *) nc_conf_dir=${1:-$NC_DEFAULT_CONF_DIR} ;;
    esac
    case $nc_conf_dir in
        /*) ;;
        *) die "the Nix config dir must be an absolute path, not '$nc_conf_dir'" ;;
    esac
    nc_backup="$nc_conf_dir/$NC_BACKUP_NAME"
}

# One run at a time per directory $1 (its config dir): the lock is a symbolic link whose target
# names the holder, `PID@HOST`, made atomically by `ln -s`. A holder that is gone (killed) is
# detected and its lock and temporary files removed; a live one is waited for up to
# NC_LOCK_WAIT seconds, then this run is refused before changing anything. With `create`, a
# missing $1 is made first (and removed again at exit when the run left nothing in it);
# without, a missing $1 needs no lock.
nc_lock() {
    if [ ! -d "$1" ]; then
        [ "${2:-}" = create ] || return 0
        mkdir -p "$1" || die "cannot create $1"
        nc_lock_made_dir=$1
    fi
    nc_lock_path="$1/$NC_LOCK_NAME"
    nc_me="$$@$nc_host"
    nc_waited=0
    until ln -s "$nc_me" "$nc_lock_path" 2>/dev/null; do
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
nc_unlock() {
    if [ -n "$nc_locked" ] && [ "$(readlink "$nc_locked" 2>/dev/null)" = "$$@$nc_host" ]; then rm -f "$nc_locked"; fi
    nc_locked=
    if [ -n "$nc_lock_made_dir" ]; then rmdir "$nc_lock_made_dir" 2>/dev/null; fi
    return 0
}

# Who, other than this run's owner, manages the files backed up in dir $1 (empty: nobody else).
# Files applied before owners were stamped carry none, and are taken on by the next apply.
nc_other_owner() {
    [ -n "$NC_OWNER" ] && [ -f "$1/$NC_OWNER_FILE" ] || return 0
    nc_o=$(cat "$1/$NC_OWNER_FILE")
    [ "$nc_o" = "$NC_OWNER" ] || printf '%s' "$nc_o"
}

# Refuses, before anything changes, to touch files another owner manages (backup dir $1).
nc_check_owner() {
    nc_o=$(nc_other_owner "$1")
    [ -z "$nc_o" ] || die "the files here are managed by $nc_o (project/stack/host), not $NC_OWNER, so nothing was changed: remove the host from that stack first (\`pulumi destroy\` there, or drop its hosts entry and \`pulumi up\`), then apply again"
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

# nc_conf: the file nix-cache appends its include to. nix.conf, except where nix.conf includes
# nix.custom.conf (Determinate's layout: its tooling owns nix.conf, custom settings go there).
# Once chosen it is kept in the backup dir, so destroy undoes the file apply changed.
nc_resolve_conf_file() {
    if [ -f "$nc_backup/conf-file" ]; then
        nc_conf=$(cat "$nc_backup/conf-file")
        return 0
    fi
    nc_conf="$nc_conf_dir/nix.conf"
    if [ "$NC_KIND" = nix ] && grep -q -x -E '!?include[[:space:]]+nix\.custom\.conf' "$nc_conf" 2>/dev/null; then
        nc_conf="$nc_conf_dir/nix.custom.conf"
    fi
}

# Which service manager runs nix-daemon here, so nix-cache can restart it: systemd (a
# nix-daemon.service), launchd (a known label), or nothing (empty: none nix-cache knows).
nc_daemon_manager() {
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        systemctl cat nix-daemon.service >/dev/null 2>&1 && echo systemd
    elif [ "$(uname -s)" = Darwin ] && command -v launchctl >/dev/null 2>&1; then
        [ -z "$(nc_launchd_label /Library/LaunchDaemons)" ] || echo launchd
    fi
}

# Restarts nix-daemon so it reads the new nix.conf: through systemd or launchd. Returns 0 when
# it restarted or no daemon runs, 1 when a restart failed, 2 when a daemon listens but no
# service manager nix-cache knows runs it (see nc_daemon_restart_command).
nc_restart_daemon() {
    case $(nc_daemon_manager) in
        systemd)
            # try-restart: a socket-activated daemon that is not running starts fresh anyway.
            systemctl try-restart nix-daemon.service || return 1
            say "restarted nix-daemon (systemd)"
            return 0
            ;;
        launchd)
            nc_launchd_restart /Library/LaunchDaemons
            return
            ;;
    esac
    [ ! -S "${NIX_DAEMON_SOCKET_PATH:-/nix/var/nix/daemon-socket/socket}" ] || return 2
    say "no nix-daemon runs here (no socket): Nix reads the files directly"
    return 0
}

# The launchd label of nix-daemon on macOS ($1: the LaunchDaemons dir): Determinate's,
# systems.determinate.nix-daemon, when its plist is there or the label is loaded; else the
# official installer's, org.nixos.nix-daemon, likewise; empty when neither.
nc_launchd_label() {
    for nc_label in systems.determinate.nix-daemon org.nixos.nix-daemon; do
        if [ -f "$1/$nc_label.plist" ] || launchctl print "system/$nc_label" > /dev/null 2>&1; then
            echo "$nc_label"
            return 0
        fi
    done
}

# Restarts nix-daemon under launchd ($1: the LaunchDaemons dir); returns 1 when that fails.
nc_launchd_restart() {
    nc_label=$(nc_launchd_label "$1")
    if [ -z "$nc_label" ]; then
        say "launchd runs no nix-daemon (neither systems.determinate.nix-daemon nor org.nixos.nix-daemon): no daemon to restart"
        return 0
    fi
    launchctl kickstart -k "system/$nc_label" || return 1
    say "restarted nix-daemon (launchd, $nc_label)"
}

# A fingerprint of the files $@ (their bytes, in order; a missing one counts as empty).
nc_fingerprint() {
    for nc_f in "$@"; do cat "$nc_f" 2>/dev/null; printf '\n--\n'; done | cksum | awk '{print $1 "-" $2}'
}

# The daemon has read the config dir's files as they are now: the fingerprint a restart of this
# or an earlier apply recorded in the backup dir matches. Files written by an apply that was cut
# short before its restart, or under `restartDaemon: false`, leave it unmatched.
nc_daemon_current() {
    [ "$(cat "$nc_backup/$NC_DAEMON_RECORD" 2>/dev/null)" = "$(nc_fingerprint "$nc_conf" "$nc_managed")" ]
}

# Records that the daemon has read the config dir's files as they are now.
nc_daemon_loaded() {
    nc_fingerprint "$nc_conf" "$nc_managed" > "$nc_backup/$NC_DAEMON_RECORD" || warn "cannot write $nc_backup/$NC_DAEMON_RECORD"
}

# File $1 without the lines nix-cache appends to nix.conf.
nc_strip_include() {
    [ -f "$1" ] || return 0
    grep -v -x -F -e "$NC_INCLUDE_1" -e "$NC_INCLUDE_2" "$1"
    [ $? -le 1 ]
}

# `user` hosts: the managed file names the netrc by absolute path, which only the host knows.
nc_fill_user_dir() {
    case $2 in
        *'|'* | *'&'* | *\\* | *' '* | *'	'*) die "the Nix config dir '$2' has characters nix-cache does not write into nix.conf" ;;
    esac
    sed "s|$NC_USER_DIR_PLACEHOLDER|$2|g" "$1" > "$1.filled" && mv -f "$1.filled" "$1"
}

# Netrc file $1 without nix-cache's line for NC_NETRC_MACHINE.
nc_strip_machine() {
    [ -f "$1" ] || return 0
    awk -v nc_p="machine $NC_NETRC_MACHINE password " 'index($0, nc_p) != 1' "$1"
}
