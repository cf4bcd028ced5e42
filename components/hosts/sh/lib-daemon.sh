# ---- nix-cache shell library: asking the running nix-daemon what it has in effect ----
# Nix has no command that prints a running daemon's settings, but the daemon answers every
# client that connects: it tells a client it does not trust which of the substituters the
# client asks for it ignores (those it does not list itself). So a client with no config of
# its own asks for the declared substituters plus an address no daemon lists: that address is
# ignored exactly when the daemon does not trust the client, and each declared one is ignored
# exactly when the daemon lacks it. Nix 2.15 and later also print `Trusted: 0|1`, read first.

# The socket nix-daemon listens on: the session's NIX_DAEMON_SOCKET_PATH, else Nix's default.
nc_daemon_socket() { printf '%s' "${NIX_DAEMON_SOCKET_PATH:-/nix/var/nix/daemon-socket/socket}"; }

# Runs "$@" as user $1 (this run's user when $1 is empty or names it); root switches with
# sudo, else su. Fails with 125 when this run cannot become $1.
# scratch: nc_as_user
nc_as() {
    nc_as_user=$1
    shift
    if [ -z "$nc_as_user" ] || [ "$nc_as_user" = "$(id -un)" ]; then
        "$@"
        return
    fi
    [ "$(id -u)" -eq 0 ] || return 125
    if command -v sudo > /dev/null 2>&1; then
        sudo -n -u "$nc_as_user" -- "$@"
    else
        su -s /bin/sh "$nc_as_user" -c 'exec "$@"' -- sh "$@"
    fi
}

# Asks the running daemon, as user $1 (see nc_as), about the declared substituters. Prints
# `trusted`, or `untrusted` and then each declared substituter the daemon lacks, one a line.
# Fails when the daemon cannot be asked this way (Nix before 2.4 has neither command).
# scratch: nc_probe nc_nix nc_store_verb nc_answer nc_asked_url
nc_daemon_ask() {
    nc_probe=http://nix-cache-trust-probe.invalid
    nc_nix=$(command -v nix) || return 1
    # `nix store info` replaced `nix store ping` (kept as an alias) in Nix 2.19.
    if [ "$(nc_nix_version)" -ge 2019 ]; then nc_store_verb=info; else nc_store_verb=ping; fi
    # No config files and no NIX_CONFIG: the client sends the daemon only what is asked here.
    nc_answer=$(nc_as "$1" env -u NIX_CONFIG NIX_CONF_DIR=/nix-cache-no-config NIX_USER_CONF_FILES=/nix-cache-no-config/nix.conf \
        NIX_DAEMON_SOCKET_PATH="$(nc_daemon_socket)" "$nc_nix" --extra-experimental-features nix-command \
        store "$nc_store_verb" --store daemon --option substituters "$NC_WANT_SUBSTITUTERS $nc_probe" 2>&1) || return 1
    case $nc_answer in
        *"Trusted: 1"*) echo trusted; return 0 ;;
        *"Trusted: 0"* | *"ignoring untrusted substituter '$nc_probe'"*) echo untrusted ;;
        *) echo trusted; return 0 ;;
    esac
    for nc_asked_url in $NC_WANT_SUBSTITUTERS; do
        case $nc_answer in *"ignoring untrusted substituter '$nc_asked_url'"*) echo "$nc_asked_url" ;; esac
    done
}

# Why the running daemon cannot be asked (empty when it can). No daemon at all needs no asking:
# that reason starts with "no nix-daemon".
# scratch: nc_version
nc_daemon_unaskable() {
    if [ ! -S "$(nc_daemon_socket)" ]; then
        echo "no nix-daemon listens on $(nc_daemon_socket)"
    elif nc_version=$(nc_nix_version) && [ "$nc_version" -gt 0 ] && [ "$nc_version" -lt 2004 ]; then
        echo "$(nix --version 2>/dev/null) cannot be asked what a running daemon has in effect (\`nix store ping\` needs Nix 2.4 or later)"
    fi
}

# What the running daemon lacks of the declared settings, asked over its socket (kind nix, as
# root): each declared trusted user that is an account here must be trusted when it connects,
# and, asked by `nobody` (a user it does not trust), it must list every declared substituter.
# Sets nc_daemon_lack ("" when nothing) and nc_daemon_note (what could not be seen); fails,
# with the reason in nc_daemon_note, when the daemon cannot be asked at all.
# sets: nc_daemon_lack nc_daemon_note
# scratch: nc_a nc_u nc_url
nc_daemon_view() {
    nc_daemon_lack=
    nc_daemon_note=$(nc_daemon_unaskable)
    [ -z "$nc_daemon_note" ] || return 1
    for nc_u in $NC_WANT_USERS; do
        case $nc_u in @* | '*') continue ;; esac
        id -u "$nc_u" > /dev/null 2>&1 || continue
        nc_a=$(nc_daemon_ask "$nc_u") || { nc_daemon_note="asking the daemon as $nc_u failed"; return 1; }
        [ "$(printf '%s\n' "$nc_a" | sed -n 1p)" = trusted ] || nc_daemon_lack="$nc_daemon_lack; trusted-user $nc_u"
    done
    if ! id -u nobody > /dev/null 2>&1; then
        nc_daemon_note="no user nobody to ask for the daemon's substituters"
    elif ! nc_a=$(nc_daemon_ask nobody); then
        nc_daemon_note="asking the daemon as nobody failed"
    elif [ "$(printf '%s\n' "$nc_a" | sed -n 1p)" = trusted ]; then
        nc_daemon_note="the daemon trusts nobody too, so its substituters cannot be seen"
    else
        for nc_url in $(printf '%s\n' "$nc_a" | sed 1d); do nc_daemon_lack="$nc_daemon_lack; substituter $nc_url"; done
    fi
    nc_daemon_lack=${nc_daemon_lack#; }
    return 0
}

# What this run should say about nc_daemon_note: nothing when no daemon runs at all.
nc_daemon_say_note() {
    case $nc_daemon_note in
        '' | "no nix-daemon "*) ;;
        *) say "not asking nix-daemon what it has in effect: $nc_daemon_note; judging by when it started" ;;
    esac
}

# `user` hosts: the daemon (if any) ignores a user's substituters unless it trusts the user. The
# running daemon is asked; where it cannot be, its config files are read.
# scratch: nc_users nc_login_user nc_a nc_u nc_g
nc_user_trust_problem() {
    [ -S "$(nc_daemon_socket)" ] || return 0
    nc_show_user "$nc_work/.no-user-config" > "$nc_work/system" 2>/dev/null || return 0
    nc_users=$(nc_setting trusted-users "$nc_work/system")
    nc_login_user=$(id -un)
    if [ -z "$(nc_daemon_unaskable)" ] && nc_a=$(nc_daemon_ask ""); then
        [ "$(printf '%s\n' "$nc_a" | sed -n 1p)" = trusted ] && return 0
        echo "$nc_login_user is not in the daemon's trusted-users (the running nix-daemon, asked over its socket, does not trust $nc_login_user; its nix.conf lists: $nc_users, and a daemon reads it when it starts), so the daemon would ignore these substituters: add $nc_login_user to trusted-users (trustedUsers of a nix or nixos host entry) or use kind nix"
        return 0
    fi
    for nc_u in $nc_users; do
        if [ "$nc_u" = "$nc_login_user" ] || [ "$nc_u" = "*" ]; then return 0; fi
        for nc_g in $(id -Gn); do [ "$nc_u" = "@$nc_g" ] && return 0; done
    done
    echo "$nc_login_user is not in the daemon's trusted-users ($nc_users), so the daemon would ignore these substituters: add $nc_login_user to trusted-users (trustedUsers of a nix or nixos host entry) or use kind nix"
}
