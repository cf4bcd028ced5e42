import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runOverSsh, SshResult, SshTarget } from "../../cli/sshClient";
import { shQuote } from "../../components/formats/shell";
import { RemoteRun } from "../../components/hosts/hostCommands";
import { ensureUser, HostUser, revokeSudo } from "./hostUsers";
import { CLIENT_KEY_FILE, ensureIdentity, NIX_CONF_DIR } from "./hostIdentity";
import { machineNixSettings } from "./localNix";
import { waitForListening } from "./ports";
import { sshdConfig } from "./sshdConfig";

/** How to open a builder host. */
export interface BuilderHostOptions {
    /**
     * The host's own settings, written when the host is new as its nix.conf after the machine
     * settings every local Nix uses (scripts/localhost/nix-conf/nix.conf).
     */
    readonly ownNixConf: string;
    /**
     * Where the host keeps its identity (port, keys, sshd config and log, Nix config dir); a
     * host already there is reopened as it was, so state that pins its key still matches it.
     * Default: a new temporary directory.
     */
    readonly dir?: string;
    /** Default: the port the host in `dir` had, else a free one. */
    readonly port?: number;
    /** Non-root logins to create (root can always log in). */
    readonly users?: readonly HostUser[];
    /** More variables for every session (sshd `SetEnv`). */
    readonly env?: Readonly<Record<string, string>>;
    /**
     * Shell commands run, as root, just before sshd starts, inside a new mount namespace; set
     * to prepare a root that differs from this machine's (the NixOS stand-in).
     */
    readonly namespaceSetup?: string;
    /**
     * A Debian root (scripts/nixroots.sh) whose sshd, Nix and store the host runs instead of
     * this machine's: sshd runs chrooted into it, in a mount namespace of its own where the
     * root has /proc, /dev, and the host's dir and `binds` at their own paths. `namespaceSetup`
     * then runs inside the root. Logins: root only.
     */
    readonly root?: { readonly dir: string; readonly binds?: readonly string[] };
}

/**
 * A real SSH builder host on 127.0.0.1: sshd running this machine's Nix with a Nix config dir
 * of its own. Stopping it makes it unreachable; starting it again brings back the same host.
 */
export interface BuilderHost {
    /** Holds the host's identity and files; scratch files of its user may go here too. */
    readonly dir: string;
    readonly port: number;
    /** Its pinned host key, `ssh-ed25519 AAAA...`. */
    readonly hostKey: string;
    /** The client's private key (OpenSSH format), authorized for root and every created user. */
    readonly privateKey: string;
    readonly privateKeyFile: string;
    /** NIX_CONF_DIR of every session (unless `env` sets another). */
    readonly nixConfDir: string;
    /** Its nix.conf as the host was made: the machine settings, then `ownNixConf`. */
    readonly ownNixConf: string;
    /** sshd's log, appended to across restarts. */
    readonly logFile: string;
    /** Where `user` logs in, with the pinned key and the client key. */
    target(user?: string): SshTarget;
    /**
     * Runs a command line over real SSH as `user`; a host script's run (see hostCommands) gets its
     * scripts on stdin, then `stdin`.
     */
    run(user: string, command: string | RemoteRun, stdin?: string): Promise<SshResult>;
    /** Logins sshd accepted since the host was made. */
    logins(): number;
    /** Starts sshd; does nothing when it runs. */
    start(): Promise<void>;
    /** Stops sshd; the host's identity and files stay for the next start. */
    stop(): Promise<void>;
    /** Stops sshd, takes back the users' sudo rights and deletes `dir`. */
    remove(): Promise<void>;
}

/** The line sshd (LogLevel INFO) writes for each accepted login. */
const LOGIN_LINE = /^Accepted publickey for /;

/** Opens (and, when new, makes) the host in `options.dir`; it is not started. */
export async function openBuilderHost(options: BuilderHostOptions): Promise<BuilderHost> {
    const dir = path.resolve(options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-host-")));
    const ownNixConf = machineNixSettings() + options.ownNixConf;
    const identity = await ensureIdentity(dir, ownNixConf, options.port);
    const users = options.users ?? [];
    if (options.root !== undefined && users.length > 0) {
        throw new Error("a builder host in a Debian root has no logins but root");
    }
    for (const user of users) {
        await ensureUser(user);
    }
    const files = { config: path.join(dir, "sshd_config"), clientKey: path.join(dir, CLIENT_KEY_FILE), log: path.join(dir, "sshd.log") };
    const nixConfDir = path.join(dir, NIX_CONF_DIR);
    const env = { NIX_CONF_DIR: nixConfDir, ...options.env };
    fs.writeFileSync(files.config, sshdConfig({ dir, port: identity.port, users: users.map((u) => u.name), env }));
    const target = (user = "root"): SshTarget => ({ address: "127.0.0.1", port: identity.port, user, hostKey: identity.hostKey, insecure: false, identityFile: files.clientKey });
    let child: ChildProcess | undefined;
    const stop = async () => {
        const running = child;
        child = undefined;
        if (running !== undefined && running.exitCode === null) {
            const exited = new Promise((resolve) => running.once("exit", resolve));
            running.kill("SIGTERM");
            await exited;
        }
    };
    return {
        dir,
        port: identity.port,
        hostKey: identity.hostKey,
        privateKey: fs.readFileSync(files.clientKey, "utf8"),
        privateKeyFile: files.clientKey,
        nixConfDir,
        ownNixConf,
        logFile: files.log,
        target,
        run: (user, command, stdin) =>
            typeof command === "string" ? runOverSsh(target(user), command, stdin) : runOverSsh(target(user), command.line, command.stdin + (stdin ?? "")),
        logins: () => (fs.existsSync(files.log) ? fs.readFileSync(files.log, "utf8").split("\n").filter((line) => LOGIN_LINE.test(line)).length : 0),
        start: async () => {
            if (child === undefined || child.exitCode !== null) {
                child = startSshd(files.config, files.log, namespaceOf(dir, options));
                await waitForListening(identity.port, child, () => `its log, ${files.log}:\n${tail(files.log)}`);
            }
        },
        stop,
        remove: async () => {
            await stop();
            users.forEach(revokeSudo);
            fs.rmSync(dir, { recursive: true, force: true });
            // The mount points sshd's namespace made in the root, empty out here.
            for (const bind of rootBinds(dir, options)) {
                fs.rmdirSync(path.join(options.root!.dir, bind), { recursive: false });
            }
        },
    };
}

/** {@link openBuilderHost}, started. */
export async function startBuilderHost(options: BuilderHostOptions): Promise<BuilderHost> {
    const host = await openBuilderHost(options);
    await host.start();
    return host;
}

/** Where sshd runs: `setup` prepares its mount namespace; with `root`, it runs chrooted there. */
interface SshdNamespace {
    readonly setup?: string;
    readonly root?: string;
    /** Run inside the root, before sshd. */
    readonly rootSetup?: string;
}

/** With a root: /proc, /dev and the binds made from outside; the host's own setup runs inside. */
function namespaceOf(dir: string, options: BuilderHostOptions): SshdNamespace {
    if (options.root === undefined) {
        return { setup: options.namespaceSetup };
    }
    const root = options.root.dir;
    const setup = [
        `mount -t proc proc ${shQuote(path.join(root, "proc"))}`,
        `mount --rbind /dev ${shQuote(path.join(root, "dev"))}`,
        ...rootBinds(dir, options).map((bind) => `mkdir -p ${shQuote(path.join(root, bind))} && mount --bind ${shQuote(bind)} ${shQuote(path.join(root, bind))}`),
    ];
    return { setup: setup.join("\n"), root, rootSetup: options.namespaceSetup };
}

/** The directories bound into the root at their own paths: the host's, then `root.binds`. */
function rootBinds(dir: string, options: BuilderHostOptions): string[] {
    return options.root === undefined ? [] : [...new Set([dir, ...(options.root.binds ?? [])])];
}

function startSshd(config: string, log: string, namespace: SshdNamespace): ChildProcess {
    fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
    const sshd = ["/usr/sbin/sshd", "-D", "-f", config, "-E", log];
    // What fails before sshd logs (the namespace setup, a bad option) lands in its log too.
    const stderr = fs.openSync(log, "a");
    try {
        const stdio: ["ignore", "ignore", number] = ["ignore", "ignore", stderr];
        if (namespace.setup === undefined) {
            return spawn(sshd[0], sshd.slice(1), { stdio });
        }
        // The namespace gets a fresh /run, where sshd needs its privilege separation directory.
        const start = `mkdir -p /run/sshd\nexec ${sshd.join(" ")}`;
        const script =
            namespace.root === undefined
                ? `${namespace.setup}\n${start}`
                : `${namespace.setup}\nexec chroot ${shQuote(namespace.root)} sh -ec ${shQuote(`${namespace.rootSetup ?? ""}\n${start}`)}`;
        return spawn("unshare", ["-m", "sh", "-ec", script], { stdio });
    } finally {
        fs.closeSync(stderr);
    }
}

function tail(file: string): string {
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").slice(-10).join("\n") : "";
}
