import * as fs from "fs";
import { exec, execOk } from "./exec";

/** A login on the builder host, a real account of this machine. */
export interface HostUser {
    readonly name: string;
    /** Passwordless sudo. */
    readonly sudo: boolean;
}

/**
 * Creates the account unless it exists and grants sudo if asked. Its password field becomes
 * "*": sshd with UsePAM off refuses locked accounts even for key logins.
 */
export async function ensureUser(user: HostUser): Promise<void> {
    if ((await exec("id", ["-u", user.name])).code !== 0) {
        const added = await exec("useradd", ["-m", "-s", "/bin/sh", user.name]);
        if (added.code !== 0 && !/already exists/.test(added.stderr)) {
            throw new Error(`useradd ${user.name}: ${added.stderr}`);
        }
    }
    await execOk("usermod", ["-p", "*", user.name]);
    if (user.sudo) {
        fs.writeFileSync(sudoersFile(user.name), `${user.name} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
    }
}

/** Takes back the sudo rights {@link ensureUser} granted; the account stays. */
export function revokeSudo(user: HostUser): void {
    if (user.sudo) {
        fs.rmSync(sudoersFile(user.name), { force: true });
    }
}

function sudoersFile(name: string): string {
    return `/etc/sudoers.d/nix-cache-localhost-${name}`;
}
