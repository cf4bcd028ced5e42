# ---- nix-cache shell library: where the Nix config lives, and nix-cache's lines in its files ----

# The directory holding nix.conf for this kind. $1 is NIX_CONF_DIR of the login session, passed
# as an argument because sudo resets the environment.
# sets: nc_conf_dir nc_backup
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

# nc_conf: the file nix-cache appends its include to. nix.conf, except where nix.conf includes
# nix.custom.conf (Determinate's layout: its tooling owns nix.conf, custom settings go there).
# Once chosen it is kept in the backup dir, so destroy undoes the file apply changed.
# sets: nc_conf
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
