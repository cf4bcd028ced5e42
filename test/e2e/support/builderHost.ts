import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { runOverSsh, SshResult, SshTarget } from "../../../cli/sshClient";
import { exec, execOk } from "./exec";

/** A login on the test host. */
export interface HostUser {
    readonly name: string;
    /** Passwordless sudo. */
    readonly sudo: boolean;
}

/** How to start a builder host. */
export interface BuilderHostOptions {
    /** The host's own nix.conf, in its isolated Nix config dir. */
    readonly ownNixConf: string;
    /** Non-root logins to create (root can always log in). */
    readonly users?: readonly HostUser[];
    /** More variables for every session (sshd `SetEnv`). */
    readonly env?: Readonly<Record<string, string>>;
    /**
     * Shell commands run, as root, just before sshd starts, inside a new mount namespace; set
     * to prepare a root that differs from this machine's (the NixOS stand-in).
     */
    readonly namespaceSetup?: string;
}

/** A real SSH builder host on 127.0.0.1: this machine's Nix, an isolated Nix config dir. */
export interface BuilderHost {
    readonly port: number;
    /** Its pinned host key, `ssh-ed25519 AAAA...`. */
    readonly hostKey: string;
    /** The client's private key (OpenSSH format), authorized for root and every created user. */
    readonly privateKey: string;
    readonly privateKeyFile: string;
    /** NIX_CONF_DIR of every session. */
    readonly nixConfDir: string;
    /** Scratch space for the test. */
    readonly work: string;
    /** Where `user` logs in, with the pinned key and the client key. */
    target(user: string): SshTarget;
    /** Runs a command line over real SSH as `user`. */
    run(user: string, command: string, stdin?: string): Promise<SshResult>;
    stop(): Promise<void>;
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

/** Generates an ed25519 key pair; returns the private key file and the `TYPE BASE64` public key. */
export async function generateSshKey(file: string): Promise<string> {
    await execOk("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "nix-cache-e2e", "-f", file]);
    return fs.readFileSync(`${file}.pub`, "utf8").trim().split(" ").slice(0, 2).join(" ");
}

/** Starts sshd on a free port with its own host key, an authorized client key and the given users. */
export async function startBuilderHost(options: BuilderHostOptions): Promise<BuilderHost> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-host-"));
    // Non-root logins read authorized_keys from here.
    fs.chmodSync(work, 0o755);
    const nixConfDir = path.join(work, "etc-nix");
    fs.mkdirSync(nixConfDir);
    fs.writeFileSync(path.join(nixConfDir, "nix.conf"), options.ownNixConf);
    const hostKeyFile = path.join(work, "ssh_host_ed25519_key");
    const hostKey = await generateSshKey(hostKeyFile);
    const privateKeyFile = path.join(work, "client_key");
    const clientPublic = await generateSshKey(privateKeyFile);
    fs.writeFileSync(path.join(work, "authorized_keys"), `${clientPublic}\n`, { mode: 0o644 });
    const users = options.users ?? [];
    for (const user of users) {
        await ensureUser(user);
    }
    const port = await freePort();
    const env = { NIX_CONF_DIR: nixConfDir, ...options.env };
    const config = [
        `Port ${port}`,
        "ListenAddress 127.0.0.1",
        `HostKey ${hostKeyFile}`,
        `PidFile ${path.join(work, "sshd.pid")}`,
        `AuthorizedKeysFile ${path.join(work, "authorized_keys")}`,
        "StrictModes no",
        "UsePAM no",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        `AllowUsers root ${users.map((u) => u.name).join(" ")}`,
        `SetEnv ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(" ")}`,
        "LogLevel ERROR",
        "",
    ].join("\n");
    const configFile = path.join(work, "sshd_config");
    fs.writeFileSync(configFile, config);
    fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });

    const sshd = ["/usr/sbin/sshd", "-D", "-e", "-f", configFile];
    const child = options.namespaceSetup === undefined
        ? spawn(sshd[0], sshd.slice(1), { stdio: ["ignore", "ignore", "pipe"] })
        : spawn("unshare", ["-m", "sh", "-ec", `${options.namespaceSetup}\nmkdir -p /run/sshd\nexec ${sshd.join(" ")}`], { stdio: ["ignore", "ignore", "pipe"] });
    const log: string[] = [];
    child.stderr?.on("data", (chunk: Buffer) => log.push(chunk.toString()));
    await waitForPort(port, child, log);

    const privateKey = fs.readFileSync(privateKeyFile, "utf8");
    const target = (user: string): SshTarget => ({ address: "127.0.0.1", port, user, hostKey, insecure: false, identityFile: privateKeyFile });
    return {
        port,
        hostKey,
        privateKey,
        privateKeyFile,
        nixConfDir,
        work,
        target,
        run: (user, command, stdin) => runOverSsh(target(user), command, stdin),
        stop: async () => {
            child.kill("SIGTERM");
            await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once("exit", resolve)));
            for (const user of users.filter((u) => u.sudo)) {
                fs.rmSync(sudoersFile(user.name), { force: true });
            }
            fs.rmSync(work, { recursive: true, force: true });
        },
    };
}

async function waitForPort(port: number, child: ChildProcess, log: string[]): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) {
            throw new Error(`sshd exited (${child.exitCode}): ${log.join("")}`);
        }
        const open = await new Promise<boolean>((resolve) => {
            const socket = net.connect(port, "127.0.0.1", () => {
                socket.end();
                resolve(true);
            });
            socket.on("error", () => resolve(false));
        });
        if (open) {
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`sshd did not listen on port ${port}: ${log.join("")}`);
}

function sudoersFile(name: string): string {
    return `/etc/sudoers.d/nix-cache-e2e-${name}`;
}

// A real account: sshd with UsePAM off refuses locked ones, so the password field is "*".
async function ensureUser(user: HostUser): Promise<void> {
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
