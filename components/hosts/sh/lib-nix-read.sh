# ---- nix-cache shell library: the settings Nix has in effect, as it prints them ----

# The effective settings, as Nix prints them. `nix config show` replaced `nix show-config` in
# Nix 2.20; older versions only know the latter.
nc_nix_show() {
    if [ "$(nc_nix_version)" -ge 2020 ]; then
        nix --extra-experimental-features nix-command config show
    else
        nix --extra-experimental-features nix-command show-config
    fi
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
# scratch: nc_w
nc_has() {
    for nc_w in $1; do
        [ "${nc_w%/}" = "${2%/}" ] && return 0
    done
    return 1
}

# What the effective settings file $1 lacks of the declared settings ("" when nothing).
# scratch: nc_m nc_list nc_x
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
# scratch: nc_s
nc_report() {
    for nc_s in substituters trusted-public-keys trusted-users; do
        printf 'nix-cache-effective %s = %s\n' "$nc_s" "$(nc_setting "$nc_s" "$1" | nc_unique_words)"
    done
}

# The words of stdin, each once (the first of those equal but for a trailing slash), on one line.
nc_unique_words() {
    awk '{ for (i = 1; i <= NF; i++) { k = $i; sub(/\/$/, "", k); if (!(k in seen)) { seen[k] = 1; out = out (out == "" ? "" : " ") $i } } } END { print out }'
}
