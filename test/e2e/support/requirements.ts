import * as fs from "fs";
import { requireTools } from "../../support/tools";

/**
 * What a real builder host needs: root (to run sshd and add test users), Debian's nix-bin,
 * OpenSSH and sudo. Missing pieces skip the file with a message, or fail it under CI, where
 * `npm test` installs them (scripts/system-deps.sh).
 */
export function requireBuilderHost(extra: readonly string[] = []): { skip: boolean } {
    const how = "run `bash scripts/system-deps.sh` as root (nix-bin, openssh-server, openssh-client, sudo)";
    const problems: string[] = [];
    if (process.getuid?.() !== 0) {
        problems.push("these tests run sshd and add users, so they need root");
    }
    if (!fs.existsSync("/usr/sbin/sshd")) {
        problems.push("/usr/sbin/sshd is missing");
    }
    if (problems.length > 0) {
        const message = `real builder host unavailable: ${problems.join("; ")}; ${how}`;
        if (process.env.CI) {
            throw new Error(message);
        }
        console.warn(`SKIPPED: ${message}`);
        return { skip: true };
    }
    return requireTools(["nix", "nix-store", "nix-build", "nix-instantiate", "ssh", "ssh-keygen", "sudo", "useradd", ...extra], how);
}
