import { HostSpec } from "../config/model";

/**
 * Where nix-cache puts things on a host. Every name here is part of the on-host contract:
 * apply, destroy and verify find each other's files through it, so renaming one strands the
 * files of hosts applied before.
 */

/** The managed settings file, next to the nix.conf that includes it. */
export const MANAGED_CONF_NAME = "nix-cache.conf";

/** Next to the managed file: the host's original files, kept until destroy restores them. */
export const BACKUP_DIR_NAME = "nix-cache.backup";

/**
 * The lines appended to nix.conf. `!include` (not `include`) so that a host whose managed
 * file went missing still has a working Nix, with only its own settings; verify reports it.
 */
export const INCLUDE_LINES: readonly string[] = [
    "# Added by nix-cache: the settings in nix-cache.conf extend those above. Removed on destroy.",
    `!include ${MANAGED_CONF_NAME}`,
];

/**
 * In the config dir (or /etc/nixos): the lock every apply, destroy and verify holds, a
 * symbolic link naming its holder (`PID@HOST`).
 */
export const LOCK_NAME = "nix-cache.lock";

/** How long a run waits for another run's lock before it is refused. */
export const LOCK_WAIT_SECONDS = 300;

/**
 * In the backup dir: the fingerprint of the files as the daemon last read them (a restart) or,
 * on NixOS, as the last rebuild took them in. An apply acts when it does not match, so files
 * written by an apply cut short (or under `restartDaemon: false` / `nixosRebuild: none`) are
 * taken in by the next one.
 */
export const DAEMON_RECORD_NAME = "in-effect";

/**
 * In the backup dir: the marker the settings command last ran with (its stdin). A read that finds
 * the host as declared gives the commands this value back, the one they hold, so nothing runs.
 */
export const CONVERGED_RECORD_NAME = "converged";

/** The same for the netrc command, in the backup dir of the config dir that holds the netrc. */
export const NETRC_CONVERGED_RECORD_NAME = "netrc.converged";

/** In the backup dir: the owner stamp (`PROJECT/STACK/HOST`) of the files it backs up. */
export const OWNER_FILE_NAME = "owner";

/** NixOS: the `cachix use` layout lives here. */
export const NIXOS_CONFIG_DIR = "/etc/nixos";

/** NixOS: the host's original files, inside the config dir (not imported: a directory). */
export const NIXOS_BACKUP_DIR_NAME = ".nix-cache.backup";

/**
 * NixOS: the module adding `trusted-users`, in the glue's directory so it is imported with the
 * caches. The dot keeps it apart from cache files, whose names (Cachix names) never have one.
 */
export const NIXOS_TRUSTED_USERS_FILE = "cachix/nix-cache.trusted-users.nix";

/** NixOS's own nix.conf, generated from `nix.settings`. */
export const NIXOS_NIX_CONF_DIR = "/etc/nix";

/**
 * In a `user` host's managed file, stands for the user's Nix config directory, which only the
 * host knows (`$XDG_CONFIG_HOME/nix` or `~/.config/nix`). `netrc-file` needs an absolute path.
 */
export const USER_CONF_DIR_PLACEHOLDER = "@nix-cache-user-conf-dir@";

/** How the user config dir is written in rendered targets. */
export const USER_CONF_DIR_DISPLAY = "~/.config/nix";

/** The directory holding the host's nix.conf and the managed file, as shown in targets. */
export function hostConfDir(host: Pick<HostSpec, "kind" | "nixConfDir">): string {
    switch (host.kind) {
        case "user":
            return USER_CONF_DIR_DISPLAY;
        case "nixos":
            return NIXOS_NIX_CONF_DIR;
        case "nix":
            return host.nixConfDir;
    }
}
