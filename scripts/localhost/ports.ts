import { ChildProcess } from "child_process";
import * as net from "net";

/** A TCP port on 127.0.0.1 nothing listens on right now. */
export async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

/**
 * Waits until `child` accepts connections on 127.0.0.1:`port`. Throws when it exits first or
 * is not listening within 15 s, with `why()` (its log, say) in the message.
 */
export async function waitForListening(port: number, child: ChildProcess, why: () => string): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) {
            throw new Error(`${child.spawnfile} exited (${child.exitCode}): ${why()}`);
        }
        if (await accepts(port)) {
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${child.spawnfile} did not listen on 127.0.0.1:${port} within 15 s: ${why()}`);
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
