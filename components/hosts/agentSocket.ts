import { spawnSync } from "child_process";
import * as fs from "fs";
import { HostSpec } from "../config/model";

/**
 * Whether something listens on the Unix socket `path`: a connection is tried from a short-lived
 * child process, since a component decides before registering anything (synchronously).
 */
export function socketAnswers(path: string): boolean {
    try {
        if (!fs.statSync(path).isSocket()) {
            return false;
        }
    } catch {
        return false;
    }
    const probe = "const s=require('net').connect(process.argv[1]);s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1))";
    const result = spawnSync(process.execPath, ["-e", probe, path], { timeout: 5000, stdio: "ignore" });
    return result.status === 0;
}

const answered = new Map<string, boolean>();

/** {@link socketAnswers}, asked once per path and process. */
function answersOnce(path: string): boolean {
    let result = answered.get(path);
    if (result === undefined) {
        result = socketAnswers(path);
        answered.set(path, result);
    }
    return result;
}

/**
 * Why the command provider could not log in to `host` because of its SSH agent (undefined when
 * it can), found before anything connects. A host with `sshAgent: true` reads `SSH_AUTH_SOCK`,
 * which must be set; a host naming its own socket needs an agent there. The provider also dials
 * the agent named in `SSH_AUTH_SOCK` whenever the variable is set, even for a host that logs in
 * with a private key, and fails when nothing listens.
 */
export function agentSocketProblem(host: Pick<HostSpec, "name" | "auth">, env: NodeJS.ProcessEnv, answers: (path: string) => boolean = answersOnce): string | undefined {
    const variable = env.SSH_AUTH_SOCK === "" ? undefined : env.SSH_AUTH_SOCK;
    if (host.auth.kind === "agent" && host.auth.socket !== undefined) {
        return answers(host.auth.socket)
            ? undefined
            : `host ${host.name}: its sshAgent socket (${host.auth.socket}) names no running SSH agent: start the agent there (ssh-agent -a ${host.auth.socket}; ssh-add KEYFILE) or set sshAgent to the socket of a running one, then run again`;
    }
    if (variable === undefined) {
        return host.auth.kind === "agent"
            ? `host ${host.name} logs in through the SSH agent (sshAgent: true), but SSH_AUTH_SOCK is not set: start an agent and add the host's key (eval "$(ssh-agent)"; ssh-add KEYFILE), set sshAgent to the agent's socket path, or give the host a private key (privateKeySecret), then run again`
            : undefined;
    }
    if (answers(variable)) {
        return undefined;
    }
    const why = host.auth.kind === "privateKey" ? "even for host " + host.name + ", which logs in with a private key" : "and host " + host.name + " logs in through the agent";
    return `SSH_AUTH_SOCK (${variable}) names no running SSH agent; the command provider connects to it for every SSH login, ${why}: unset SSH_AUTH_SOCK or start the agent, then run again`;
}
