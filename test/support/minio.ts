import {
    CreateBucketCommand,
    LifecycleRule,
    PutBucketEncryptionCommand,
    PutBucketLifecycleConfigurationCommand,
    PutBucketOwnershipControlsCommand,
    PutBucketPolicyCommand,
    PutObjectCommand,
    PutPublicAccessBlockCommand,
    S3Client,
} from "@aws-sdk/client-s3";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import type { MirrorBucketPlan } from "../../components/mirror/bucketPlan";
import type { MirrorLifecycleRule } from "../../components/mirror/lifecycle";

/** A MinIO server this test file started, on 127.0.0.1, with its own data directory. */
export interface MinioServer {
    /** `http://127.0.0.1:PORT`. */
    readonly endpoint: string;
    /** The root credentials (throwaway, generated per run). */
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
    /** An S3 client with the root credentials. */
    readonly s3: S3Client;
    /** Creates a bucket as root. */
    createBucket(name: string): Promise<void>;
    /** Stops the server and deletes its data. */
    stop(): Promise<void>;
}

/** The region MinIO reports unless told otherwise. */
export const MINIO_REGION = "us-east-1";

/** A TCP port free right now on 127.0.0.1. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address() as net.AddressInfo;
            server.close(() => resolve(address.port));
        });
    });
}

/** Starts `minio server` on a free port with a temporary data directory; waits until it is live. */
export async function startMinio(binary: string): Promise<MinioServer> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "minio-data-"));
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const credentials = { accessKeyId: `root${process.pid}`, secretAccessKey: `secret-${process.pid}-${Date.now()}` };
    const child = spawn(binary, ["server", "--address", `127.0.0.1:${port}`, "--quiet", dataDir], {
        env: {
            PATH: process.env.PATH,
            HOME: dataDir,
            MINIO_ROOT_USER: credentials.accessKeyId,
            MINIO_ROOT_PASSWORD: credentials.secretAccessKey,
            MINIO_BROWSER: "off",
            MINIO_UPDATE: "off",
        },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (chunk) => (output += String(chunk)));
    child.stderr?.on("data", (chunk) => (output += String(chunk)));
    try {
        await waitUntilLive(endpoint, child);
    } catch (error) {
        await stopProcess(child);
        fs.rmSync(dataDir, { recursive: true, force: true });
        throw new Error(`MinIO did not start on ${endpoint}: ${String(error)}\n${output}`);
    }
    const s3 = new S3Client({ endpoint, region: MINIO_REGION, forcePathStyle: true, credentials });
    return {
        endpoint,
        credentials,
        s3,
        async createBucket(name) {
            await s3.send(new CreateBucketCommand({ Bucket: name }));
        },
        async stop() {
            s3.destroy();
            await stopProcess(child);
            fs.rmSync(dataDir, { recursive: true, force: true });
        },
    };
}

function waitUntilLive(endpoint: string, child: ChildProcess): Promise<void> {
    return waitUntilAnswering(`${endpoint}/minio/health/live`, child, 30, (response) => response.ok);
}

/** Polls `url` until `accepts` its response, or fails when the server exits or after `seconds`. */
export async function waitUntilAnswering(url: string, child: ChildProcess, seconds: number, accepts: (response: Response) => boolean = () => true): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) {
            throw new Error(`exited with code ${child.exitCode}`);
        }
        try {
            if (accepts(await fetch(url))) {
                return;
            }
        } catch {
            // Not listening yet.
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out after ${seconds}s`);
}

/** Stops a server this process started: SIGTERM, then SIGKILL after 10 s. */
export function stopProcess(child: ChildProcess): Promise<void> {
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

/**
 * Sends the requests the stack's bucket resources make (`mirrorBucketPlan`), in the order the
 * resources depend on each other, with the SDK calls the AWS provider makes for each.
 */
export async function applyBucketPlan(s3: S3Client, plan: MirrorBucketPlan): Promise<void> {
    const Bucket = plan.bucket.bucket;
    await s3.send(new CreateBucketCommand({ Bucket }));
    if (plan.ownershipControls !== undefined) {
        await s3.send(new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: { Rules: [{ ObjectOwnership: plan.ownershipControls.objectOwnership }] } }));
    }
    if (plan.encryption !== undefined) {
        await s3.send(
            new PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: plan.encryption.sseAlgorithm } }] } }),
        );
    }
    if (plan.publicAccessBlock !== undefined) {
        const p = plan.publicAccessBlock;
        await s3.send(
            new PutPublicAccessBlockCommand({
                Bucket,
                PublicAccessBlockConfiguration: { BlockPublicAcls: p.blockPublicAcls, IgnorePublicAcls: p.ignorePublicAcls, BlockPublicPolicy: p.blockPublicPolicy, RestrictPublicBuckets: p.restrictPublicBuckets },
            }),
        );
    }
    if (plan.policy !== undefined) {
        await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: plan.policy }));
    }
    if (plan.lifecycleRules.length > 0) {
        await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: plan.lifecycleRules.map(lifecycleRule) } }));
    }
    await s3.send(new PutObjectCommand({ Bucket, Key: plan.cacheInfo.key, Body: plan.cacheInfo.content, ContentType: plan.cacheInfo.contentType }));
}

/** A lifecycle rule as the S3 API takes it. */
export function lifecycleRule(rule: MirrorLifecycleRule): LifecycleRule {
    return {
        ID: rule.id,
        Status: rule.status,
        Filter: rule.filter.objectSizeGreaterThan === undefined ? {} : { ObjectSizeGreaterThan: rule.filter.objectSizeGreaterThan },
        ...(rule.abortIncompleteMultipartUpload === undefined ? {} : { AbortIncompleteMultipartUpload: { DaysAfterInitiation: rule.abortIncompleteMultipartUpload.daysAfterInitiation } }),
        ...(rule.expiration === undefined ? {} : { Expiration: { Days: rule.expiration.days } }),
    };
}
