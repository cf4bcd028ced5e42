import * as fs from "fs";
import * as path from "path";
import { freePort } from "./ports";
import { generateSshKey } from "./sshKeys";
import { AUTHORIZED_KEYS_FILE, HOST_KEY_FILE } from "./sshdConfig";

/** The client's private key, authorized for every login, in the host's directory. */
export const CLIENT_KEY_FILE = "client_key";

/** The host's Nix config dir (NIX_CONF_DIR of its sessions), in the host's directory. */
export const NIX_CONF_DIR = "etc-nix";

/** What stays the same across restarts, recorded in `dir/host.json`. */
export interface Identity {
    readonly port: number;
    readonly hostKey: string;
}

/**
 * The identity of the host in `dir`, made on first use: host key, client key (authorized),
 * and the Nix config dir holding the nix.conf `nixConf`. They are made once; the port (`port`, else the
 * recorded one, else a free one) is recorded so a reopened host keeps it.
 */
export async function ensureIdentity(dir: string, nixConf: string, port: number | undefined): Promise<Identity> {
    const record = path.join(dir, "host.json");
    const known = fs.existsSync(record) ? (JSON.parse(fs.readFileSync(record, "utf8")) as Identity) : undefined;
    if (known !== undefined && (port === undefined || port === known.port)) {
        return known;
    }
    fs.mkdirSync(dir, { recursive: true });
    // Non-root logins read authorized_keys from here.
    fs.chmodSync(dir, 0o755);
    let hostKey = known?.hostKey;
    if (hostKey === undefined) {
        // Left over from an interrupted first start: ssh-keygen would refuse to overwrite them.
        for (const file of [HOST_KEY_FILE, CLIENT_KEY_FILE].flatMap((key) => [key, `${key}.pub`])) {
            fs.rmSync(path.join(dir, file), { force: true });
        }
        hostKey = await generateSshKey(path.join(dir, HOST_KEY_FILE));
        const clientPublic = await generateSshKey(path.join(dir, CLIENT_KEY_FILE));
        fs.writeFileSync(path.join(dir, AUTHORIZED_KEYS_FILE), `${clientPublic}\n`, { mode: 0o644 });
        fs.mkdirSync(path.join(dir, NIX_CONF_DIR), { recursive: true });
        fs.writeFileSync(path.join(dir, NIX_CONF_DIR, "nix.conf"), nixConf);
    }
    const identity: Identity = { port: port ?? (await freePort()), hostKey };
    fs.writeFileSync(record, `${JSON.stringify(identity, null, 2)}\n`);
    return identity;
}
