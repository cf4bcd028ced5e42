import { IAMClient } from "@aws-sdk/client-iam";
import { S3ControlClient } from "@aws-sdk/client-s3-control";
import { ChildProcess, spawn } from "child_process";
import { freePort } from "./minio";

/** The account moto's model answers for (its default). */
export const MOTO_ACCOUNT_ID = "123456789012";

/** A moto server this test file started on 127.0.0.1, with SDK clients of the APIs the mirror relies on. */
export interface MotoServer {
    /** `http://127.0.0.1:PORT`. */
    readonly endpoint: string;
    readonly iam: IAMClient;
    readonly s3control: S3ControlClient;
    /** Stops the server (its state goes with it). */
    stop(): Promise<void>;
}

/** Starts `moto_server` on a free port; waits until it answers. */
export async function startMoto(binary: string): Promise<MotoServer> {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const child = spawn(binary, ["-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH } });
    let output = "";
    child.stdout?.on("data", (chunk) => (output += String(chunk)));
    child.stderr?.on("data", (chunk) => (output += String(chunk)));
    try {
        await waitUntilAnswering(endpoint, child);
    } catch (error) {
        await stop(child);
        throw new Error(`moto_server did not start on ${endpoint}: ${String(error)}\n${output}`);
    }
    // Throwaway credentials: moto accepts any.
    const config = { endpoint, region: "us-east-1", credentials: { accessKeyId: "testing", secretAccessKey: "testing" } };
    const iam = new IAMClient(config);
    // S3 Control's endpoint rules put the account id in the host name; the model answers at its address.
    const s3control = new S3ControlClient({ ...config, endpointProvider: () => ({ url: new URL(endpoint) }) });
    return {
        endpoint,
        iam,
        s3control,
        async stop() {
            iam.destroy();
            s3control.destroy();
            await stop(child);
        },
    };
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) {
            throw new Error(`exited with code ${child.exitCode}`);
        }
        try {
            await fetch(`${endpoint}/moto-api/`);
            return;
        } catch {
            // Not listening yet.
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error("timed out after 60s");
}

function stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) {
        return Promise.resolve();
    }
    return new Promise((resolve) => {
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        child.once("exit", () => {
            clearTimeout(timer);
            resolve();
        });
        child.kill("SIGTERM");
    });
}
