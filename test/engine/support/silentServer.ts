import * as net from "net";

/** A server on `port` that accepts every TCP connection and never sends a byte (no SSH banner). */
export interface SilentServer {
    /** Drops the held connections and stops listening. */
    close(): Promise<void>;
}

export async function listenSilently(port: number): Promise<SilentServer> {
    const held = new Set<net.Socket>();
    const server = net.createServer((socket) => held.add(socket));
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return {
        close: async () => {
            held.forEach((socket) => socket.destroy());
            await new Promise((resolve) => server.close(resolve));
        },
    };
}
