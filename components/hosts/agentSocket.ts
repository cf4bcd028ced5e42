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
 * Why the command provider could not log in to `host` because of `SSH_AUTH_SOCK` (undefined when
 * it can). The provider dials the agent named there whenever the variable is set, even for a host
 * that logs in with a private key, and fails when nothing listens; a host with its own
 * `sshAgent` socket does not read the variable.
 */
export function agentSocketProblem(host: Pick<HostSpec, "name" | "auth">, env: NodeJS.ProcessEnv, answers: (path: string) => boolean = answersOnce): string | undefined {
    const socket = env.SSH_AUTH_SOCK;
    if (socket === undefined || socket === "" || (host.auth.kind === "agent" && host.auth.socket !== undefined)) {
        return undefined;
    }
    if (answers(socket)) {
        return undefined;
    }
    const why = host.auth.kind === "privateKey" ? "even for host " + host.name + ", which logs in with a private key" : "and host " + host.name + " logs in through the agent";
    return `SSH_AUTH_SOCK (${socket}) names no running SSH agent; the command provider connects to it for every SSH login, ${why}: unset SSH_AUTH_SOCK or start the agent, then run again`;
}
