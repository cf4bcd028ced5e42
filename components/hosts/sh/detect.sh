# ---- detect: what kind of host this is, as a check; changes nothing ----
# Prints `nix-cache-detect KEY = VALUE` lines; `suggested` is the kind `cachix use` would pick.
nc_fact() { printf 'nix-cache-detect %s = %s\n' "$1" "$2"; }
if nc_is_nixos; then nc_os=nixos; else nc_os=$(uname -s | tr '[:upper:]' '[:lower:]'); fi
nc_fact os "$nc_os"
nc_fact nix "$(nix --version 2>/dev/null || echo missing)"
nc_fact installer "$(nc_installer "${1:-$NC_DEFAULT_CONF_DIR}")"
if [ -S "${NIX_DAEMON_SOCKET_PATH:-/nix/var/nix/daemon-socket/socket}" ]; then nc_fact daemon yes; else nc_fact daemon no; fi
nc_fact user "$(id -un)"
if [ "$(id -u)" -eq 0 ]; then
    nc_root=yes
elif command -v sudo > /dev/null 2>&1 && sudo -n true 2> /dev/null; then
    nc_root=sudo
else
    nc_root=no
fi
nc_fact root "$nc_root"
if [ "$nc_root" = no ]; then
    nc_suggested=user
elif [ "$nc_os" = nixos ]; then
    nc_suggested=nixos
else
    nc_suggested=nix
fi
nc_fact suggested "$nc_suggested"
nc_fact configured "$NC_KIND"
nc_problem=$(nc_kind_problem)
if [ "$NC_KIND" != user ] && [ "$nc_root" = no ]; then
    nc_problem="${nc_problem:+$nc_problem; }kind $NC_KIND needs root or passwordless sudo"
fi
if [ -n "$nc_problem" ]; then nc_fact fits "no: $nc_problem"; else nc_fact fits yes; fi
