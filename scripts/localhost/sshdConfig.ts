import * as path from "path";

/** What sshd of a builder host is configured with. */
export interface SshdSettings {
    /** Holds the host key, authorized_keys and the pid file. */
    readonly dir: string;
    readonly port: number;
    /** Logins besides root. */
    readonly users: readonly string[];
    /** Variables for every session (`SetEnv`). */
    readonly env: Readonly<Record<string, string>>;
}

/** The host key's file in the host's directory. */
export const HOST_KEY_FILE = "ssh_host_ed25519_key";

/** The public keys that may log in, in the host's directory. */
export const AUTHORIZED_KEYS_FILE = "authorized_keys";

/**
 * sshd_config of a builder host: 127.0.0.1 only, key logins only, the host's own key and
 * authorized_keys.
 */
export function sshdConfig(settings: SshdSettings): string {
    return [
        `Port ${settings.port}`,
        "ListenAddress 127.0.0.1",
        `HostKey ${path.join(settings.dir, HOST_KEY_FILE)}`,
        `PidFile ${path.join(settings.dir, "sshd.pid")}`,
        `AuthorizedKeysFile ${path.join(settings.dir, AUTHORIZED_KEYS_FILE)}`,
        "StrictModes no",
        "UsePAM no",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        `AllowUsers ${["root", ...settings.users].join(" ")}`,
        `SetEnv ${Object.entries(settings.env).map(([name, value]) => `${name}=${value}`).join(" ")}`,
        // Lets the command provider pass previous outputs (addPreviousOutputInEnv) without warnings.
        "AcceptEnv PULUMI_COMMAND_*",
        // INFO logs one "Accepted publickey" line per login: what BuilderHost.logins counts.
        "LogLevel INFO",
        // Tests open many sessions at once (concurrent applies); the default drops some.
        "MaxStartups 100:30:200",
        "",
    ].join("\n");
}
