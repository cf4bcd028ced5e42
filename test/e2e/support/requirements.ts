import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
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

/**
 * Whether this machine lets root make private mount namespaces with overlayfs, which the
 * stand-ins (`what`) need; skips with a message otherwise, or fails under CI.
 */
export function requireNamespaces(what: string): { skip: boolean } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-ns-probe-"));
    const probe = `mount -t tmpfs tmpfs ${dir} && mkdir ${dir}/u ${dir}/w && mount -t overlay overlay -o lowerdir=/etc,upperdir=${dir}/u,workdir=${dir}/w /etc`;
    const result = spawnSync("unshare", ["-m", "sh", "-c", probe], { encoding: "utf8" });
    fs.rmSync(dir, { recursive: true, force: true });
    if (result.status === 0) {
        return { skip: false };
    }
    const message = `${what} unavailable: mount namespaces with overlayfs are not permitted here (${(result.stderr ?? String(result.error)).trim()})`;
    if (process.env.CI) {
        throw new Error(message);
    }
    console.warn(`SKIPPED: ${message}`);
    return { skip: true };
}
