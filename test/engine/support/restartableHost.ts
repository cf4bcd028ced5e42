import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { runOverSsh, SshResult, SshTarget } from "../../../cli/sshClient";
import { freePort, generateSshKey } from "../../e2e/support/builderHost";

/**
 * A real builder host (sshd on 127.0.0.1 running this machine's Nix with its own
 * NIX_CONF_DIR, like the e2e builder host) whose identity outlives its sshd process: port,
 * host key, client key and Nix config dir live in `dir`. Stopping it makes it unreachable;
 * starting it again brings back the same host, so the engine's state still matches it. sshd
 * logs every login to `dir/sshd.log`, so a test can tell whether anything connected.
 */
export interface RestartableHost {
    /** Holds the host's keys, config, Nix config dir and log. */
    readonly dir: string;
    readonly port: number;
    /** Its pinned host key, `ssh-ed25519 AAAA...`. */
    readonly hostKey: string;
    /** The client's private key (OpenSSH format), authorized for root. */
    readonly privateKey: string;
    readonly privateKeyFile: string;
    /** NIX_CONF_DIR of every session. */
    readonly nixConfDir: string;
    /** sshd's log (appended to across restarts). */
    readonly logFile: string;
    running(): boolean;
    start(): Promise<void>;
    stop(): Promise<void>;
    /** Logins sshd accepted since `dir` was created. */
    logins(): number;
    /** Runs a command line over real SSH as root. */
    run(command: string, stdin?: string): Promise<SshResult>;
    /** Where root logs in, with the pinned key and the client key. */
    target(): SshTarget;
}

/** How to open a host. */
export interface RestartableHostOptions {
    /** Created when absent; an existing host there is reused as it is. */
    readonly dir: string;
    /** The host's own nix.conf, written only when the host is new. */
    readonly ownNixConf: string;
    /** The port; default: the one the host had, else a free one. */
    readonly port?: number;
}

interface Identity {
    readonly port: number;
    readonly hostKey: string;
}

/** The line sshd (LogLevel INFO) writes for each accepted login. */
const LOGIN_LINE = /^Accepted publickey for /;

/** Opens the host in `dir` (creating it when new); it is not started. */
export async function openRestartableHost(options: RestartableHostOptions): Promise<RestartableHost> {
    const dir = path.resolve(options.dir);
    const identity = await ensureIdentity(dir, options);
    const files = {
        config: path.join(dir, "sshd_config"),
        hostKey: path.join(dir, "ssh_host_ed25519_key"),
        clientKey: path.join(dir, "client_key"),
        log: path.join(dir, "sshd.log"),
        nixConfDir: path.join(dir, "etc-nix"),
    };
    fs.writeFileSync(files.config, sshdConfig(dir, identity.port, files));
    let child: ChildProcess | undefined;
    const target = (): SshTarget => ({
        address: "127.0.0.1",
        port: identity.port,
        user: "root",
        hostKey: identity.hostKey,
        insecure: false,
        identityFile: files.clientKey,
    });
    return {
        dir,
        port: identity.port,
        hostKey: identity.hostKey,
        privateKey: fs.readFileSync(files.clientKey, "utf8"),
        privateKeyFile: files.clientKey,
        nixConfDir: files.nixConfDir,
        logFile: files.log,
        running: () => child !== undefined && child.exitCode === null,
        start: async () => {
            if (child !== undefined && child.exitCode === null) {
                return;
            }
            fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
            const started = spawn("/usr/sbin/sshd", ["-D", "-f", files.config, "-E", files.log], { stdio: "ignore" });
            child = started;
            await waitForListening(identity.port, started, files.log);
        },
        stop: async () => {
            const running = child;
            child = undefined;
            if (running === undefined || running.exitCode !== null) {
                return;
            }
            const exited = new Promise((resolve) => running.once("exit", resolve));
            running.kill("SIGTERM");
            await exited;
        },
        logins: () => (fs.existsSync(files.log) ? fs.readFileSync(files.log, "utf8").split("\n").filter((line) => LOGIN_LINE.test(line)).length : 0),
        run: (command, stdin) => runOverSsh(target(), command, stdin),
        target,
    };
}

// The keys and nix.conf are made once; the port is recorded so a reopened host keeps it.
async function ensureIdentity(dir: string, options: RestartableHostOptions): Promise<Identity> {
    const record = path.join(dir, "host.json");
    const known = fs.existsSync(record) ? (JSON.parse(fs.readFileSync(record, "utf8")) as Identity) : undefined;
    if (known !== undefined && (options.port === undefined || options.port === known.port)) {
        return known;
    }
    fs.mkdirSync(dir, { recursive: true });
    // sshd reads authorized_keys as root only, but keep the tree readable like a real /etc.
    fs.chmodSync(dir, 0o755);
    const hostKeyFile = path.join(dir, "ssh_host_ed25519_key");
    if (known === undefined) {
        // Left over from an interrupted first start: ssh-keygen would refuse to overwrite them.
        for (const file of ["ssh_host_ed25519_key", "client_key"]) {
            fs.rmSync(path.join(dir, file), { force: true });
            fs.rmSync(path.join(dir, `${file}.pub`), { force: true });
        }
    }
    const hostKey = known?.hostKey ?? (await generateSshKey(hostKeyFile));
    if (known === undefined) {
        const clientPublic = await generateSshKey(path.join(dir, "client_key"));
        fs.writeFileSync(path.join(dir, "authorized_keys"), `${clientPublic}\n`, { mode: 0o644 });
        fs.mkdirSync(path.join(dir, "etc-nix"), { recursive: true });
        fs.writeFileSync(path.join(dir, "etc-nix", "nix.conf"), options.ownNixConf);
    }
    const identity: Identity = { port: options.port ?? (await freePort()), hostKey };
    fs.writeFileSync(record, `${JSON.stringify(identity, null, 2)}\n`);
    return identity;
}

function sshdConfig(dir: string, port: number, files: { hostKey: string; nixConfDir: string }): string {
    return [
        `Port ${port}`,
        "ListenAddress 127.0.0.1",
        `HostKey ${files.hostKey}`,
        `PidFile ${path.join(dir, "sshd.pid")}`,
        `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`,
        "StrictModes no",
        "UsePAM no",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        "AllowUsers root",
        `SetEnv NIX_CONF_DIR=${files.nixConfDir}`,
        // Lets the command provider pass previous outputs (addPreviousOutputInEnv) without warnings.
        "AcceptEnv PULUMI_COMMAND_*",
        // INFO logs one "Accepted publickey" line per login: what the no-op checks count.
        "LogLevel INFO",
        "",
    ].join("\n");
}

async function waitForListening(port: number, child: ChildProcess, log: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) {
            throw new Error(`sshd exited (${child.exitCode}); its log: ${log}\n${tail(log)}`);
        }
        if (await accepts(port)) {
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`sshd did not listen on 127.0.0.1:${port} within 15 s; its log: ${log}\n${tail(log)}`);
}

function accepts(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect(port, "127.0.0.1", () => {
            socket.end();
            resolve(true);
        });
        socket.on("error", () => resolve(false));
    });
}

function tail(file: string): string {
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").slice(-10).join("\n") : "";
}
