import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll } from "vitest";

/**
 * A Unix socket something listens on, for the test file: hosts with `sshAgent` are refused
 * before anything registers unless an agent answers where they look. With `named`, it is also
 * `SSH_AUTH_SOCK` while the file's tests run.
 */
export function listeningAgent(options: { named?: boolean } = {}): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-agent-"));
    const socket = path.join(dir, "agent.sock");
    const server = net.createServer((connection) => connection.end());
    const saved = process.env.SSH_AUTH_SOCK;
    beforeAll(async () => {
        await new Promise<void>((resolve) => server.listen(socket, resolve));
        if (options.named) {
            process.env.SSH_AUTH_SOCK = socket;
        }
    });
    afterAll(async () => {
        if (saved === undefined) {
            delete process.env.SSH_AUTH_SOCK;
        } else {
            process.env.SSH_AUTH_SOCK = saved;
        }
        await new Promise((resolve) => server.close(resolve));
        fs.rmSync(dir, { recursive: true, force: true });
    });
    return socket;
}
