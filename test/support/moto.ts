import { IAMClient } from "@aws-sdk/client-iam";
import { S3ControlClient } from "@aws-sdk/client-s3-control";
import { spawn } from "child_process";
import { freePort, stopProcess, waitUntilAnswering } from "./minio";

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
        await waitUntilAnswering(`${endpoint}/moto-api/`, child, 60);
    } catch (error) {
        await stopProcess(child);
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
            await stopProcess(child);
        },
    };
}
