import {
    AbortMultipartUploadCommand,
    CreateMultipartUploadCommand,
    DeleteObjectCommand,
    GetBucketLifecycleConfigurationCommand,
    GetBucketPolicyCommand,
    HeadObjectCommand,
    ListMultipartUploadsCommand,
    ListPartsCommand,
    PutBucketPolicyCommand,
    PutObjectCommand,
    S3Client,
    UploadPartCommand,
} from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadStackModel } from "../../components/config/load";
import { MirrorSpec, StackModel } from "../../components/config/model";
import { mirrorBucketPlan } from "../../components/mirror/bucketPlan";
import { MIRROR_ARTIFACT_PATHS, mirrorArtifacts } from "../../components/mirror/mirrorArtifacts";
import { NIX_CACHE_INFO_CONTENT_TYPE, NIX_CACHE_INFO_KEY } from "../../components/mirror/nixCacheInfo";
import { generateNixSigningKey, NixSigningKeyPair } from "../../components/formats/signingKey";
import { mirrorPushUrl, mirrorSubstituterUrl } from "../../components/formats/s3Urls";
import { secretPlaceholder } from "../../components/render/artifact";
import { MINIMAL, rawConfig } from "../support/config";
import { applyBucketPlan, lifecycleRule, MINIO_REGION, MinioServer, startMinio } from "../support/minio";
import { parseNixS3Url } from "../support/nixS3Url";
import { IsolatedNix, isolatedNix } from "../support/nixStorePaths";
import { requireTools } from "../support/tools";

const tools = requireTools(
    ["minio", "nix", "nix-build", "nix-store"],
    "build MinIO with `bash scripts/toolchain.sh minio` and install Debian's nix-bin (bash scripts/system-deps.sh)",
);

const GITHUB = { owner: "atproto-nix", repositories: [{ name: "nur" }] };

/** The rendered files of a stack whose mirror is `mirror`, by path. */
function rendered(mirror: Record<string, unknown>): { model: StackModel; files: Record<string, string> } {
    const model = loadStackModel(rawConfig({ ...MINIMAL, github: GITHUB, mirror }), { mode: "render" });
    return { model, files: Object.fromEntries(mirrorArtifacts(model, secretPlaceholder).map((a) => [a.path, a.content])) };
}

describe.skipIf(tools.skip)("the rendered mirror on a real S3-compatible server (MinIO) read by real Nix", () => {
    let server: MinioServer;
    let nix: IsolatedNix;
    let key: NixSigningKeyPair;
    let publicMirror: MirrorSpec;
    let pushed: { storePath: string; narinfo: string; nar: string };

    /**
     * Creates the bucket as `pulumi up` would on MinIO: the requests of the stack's resources
     * (`mirrorBucketPlan`, which `S3Mirror` registers), whose policy and nix-cache-info are the
     * rendered files.
     */
    async function applyStack(bucket: string, isPublic: boolean, extra: Record<string, unknown> = {}): Promise<MirrorSpec> {
        const { model, files } = rendered({ bucket, endpoint: server.endpoint, server: "minio", region: MINIO_REGION, public: isPublic, ...extra });
        const plan = mirrorBucketPlan(model.mirror!);
        expect(plan.policy).toBe(files[MIRROR_ARTIFACT_PATHS.bucketPolicy]);
        expect(plan.cacheInfo.content).toBe(files[MIRROR_ARTIFACT_PATHS.nixCacheInfo]);
        await applyBucketPlan(server.s3, plan);
        return model.mirror!;
    }

    /**
     * Credentials limited to the rendered CI write policy. MinIO's AssumeRole takes the policy as
     * a session policy: the credentials can do only what it allows (the role ARN is ignored).
     */
    async function ciCredentials(bucket: string): Promise<S3Client> {
        // The same bucket name on AWS gives the same ARNs: this is the file `render` writes for it.
        const writePolicy = rendered({ bucket, region: MINIO_REGION }).files[MIRROR_ARTIFACT_PATHS.ciWritePolicy];
        const sts = new STSClient({ endpoint: server.endpoint, region: MINIO_REGION, credentials: server.credentials });
        const { Credentials: c } = await sts.send(
            new AssumeRoleCommand({ RoleArn: "arn:xxx:xxx:xxx:xxxx", RoleSessionName: "ci-push", Policy: writePolicy, DurationSeconds: 900 }),
        );
        sts.destroy();
        return new S3Client({
            endpoint: server.endpoint,
            region: MINIO_REGION,
            forcePathStyle: true,
            credentials: { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken },
        });
    }

    /**
     * What CI does: `nix copy` with the push URL's own parameters (zstd, signed with the mirror
     * key), then the upload. Debian's Nix has no S3 store, so it copies into a local binary cache
     * and the SDK uploads that with CI's credentials.
     */
    async function push(mirror: MirrorSpec, storePath: string, writer: S3Client): Promise<{ narinfo: string; nar: string }> {
        const keyFile = path.join(nix.dir, "mirror.sec");
        fs.writeFileSync(keyFile, key.secretKey, { mode: 0o600 });
        const cacheDir = path.join(nix.dir, `cache-${path.basename(storePath)}`);
        const params = mirrorPushUrl(mirror, { secretKeyFile: keyFile }).split("?")[1];
        nix.run("nix", ["copy", "--to", `file://${cacheDir}?${params}`, storePath]);
        const files = listFiles(cacheDir).filter((file) => file !== NIX_CACHE_INFO_KEY);
        for (const file of files) {
            const contentType = file.endsWith(".narinfo") ? "text/x-nix-narinfo" : "application/x-nix-nar";
            await writer.send(new PutObjectCommand({ Bucket: mirror.bucket, Key: file, Body: fs.readFileSync(path.join(cacheDir, file)), ContentType: contentType }));
        }
        return { narinfo: files.find((f) => f.endsWith(".narinfo"))!, nar: files.find((f) => f.startsWith("nar/"))! };
    }

    const url = (mirror: MirrorSpec, key: string) => `${server.endpoint}/${mirror.bucket}/${key}`;

    beforeAll(async () => {
        server = await startMinio(tools.paths.minio);
        nix = isolatedNix();
        key = generateNixSigningKey("atproto-mirror-1");
        publicMirror = await applyStack("nix-mirror-public", true);
        const storePath = nix.buildTinyPath("mirror-minio");
        const writer = await ciCredentials(publicMirror.bucket);
        pushed = { storePath, ...(await push(publicMirror, storePath, writer)) };
        writer.destroy();
    }, 180_000);
    afterAll(async () => {
        await server?.stop();
        nix?.cleanup();
    });

    describe("a public mirror", () => {
        it("serves nix-cache-info, a narinfo and its NAR to anyone, with nix-cache-info's content type", async () => {
            const info = await fetch(url(publicMirror, NIX_CACHE_INFO_KEY));
            expect(info.status).toBe(200);
            expect(info.headers.get("content-type")).toBe("text/x-nix-cache-info");
            expect(await info.text()).toBe(rendered({ bucket: publicMirror.bucket, endpoint: server.endpoint, server: "minio" }).files[MIRROR_ARTIFACT_PATHS.nixCacheInfo]);
            const narinfo = await fetch(url(publicMirror, pushed.narinfo));
            expect(narinfo.status).toBe(200);
            const text = await narinfo.text();
            expect(text).toContain(`StorePath: ${pushed.storePath}`);
            expect(text).toContain("Compression: zstd");
            expect(text).toMatch(/^Sig: atproto-mirror-1:/m);
            expect((await fetch(url(publicMirror, pushed.nar))).status).toBe(200);
        });

        // AWS answers 403 here unless the reader may list the bucket (hence the policy's list
        // statement); MinIO answers 404 either way, so this checks the outcome, not the reason.
        it("answers 404, not 403, for an object that is not there", async () => {
            expect((await fetch(url(publicMirror, "0000000000000000000000000000000a.narinfo"))).status).toBe(404);
        });

        it("refuses anonymous listing by default, and allows it with anonymousList", async () => {
            expect((await fetch(`${server.endpoint}/${publicMirror.bucket}?list-type=2`)).status).toBe(403);
            const listed = await applyStack("nix-mirror-listed", true, { anonymousList: true });
            const listing = await fetch(`${server.endpoint}/${listed.bucket}?list-type=2`);
            expect(listing.status).toBe(200);
            expect(await listing.text()).toContain(`<Key>${NIX_CACHE_INFO_KEY}</Key>`);
        });

        it("refuses anonymous writes, overwrites, multipart uploads, deletes and policy changes", async () => {
            const put = await fetch(url(publicMirror, "injected.narinfo"), { method: "PUT", body: "StorePath: /nix/store/evil\n" });
            expect(put.status).toBe(403);
            expect((await fetch(url(publicMirror, NIX_CACHE_INFO_KEY), { method: "PUT", body: "Priority: 0\n" })).status).toBe(403);
            expect((await fetch(`${url(publicMirror, "big.nar")}?uploads`, { method: "POST" })).status).toBe(403);
            expect((await fetch(url(publicMirror, pushed.narinfo), { method: "DELETE" })).status).toBe(403);
            expect((await fetch(`${server.endpoint}/${publicMirror.bucket}?policy`, { method: "PUT", body: "{}" })).status).toBe(403);
            expect((await fetch(`${server.endpoint}/${publicMirror.bucket}?policy`, { method: "DELETE" })).status).toBe(403);
            // Nothing changed.
            expect((await fetch(url(publicMirror, "injected.narinfo"))).status).toBe(404);
            expect((await fetch(url(publicMirror, pushed.narinfo))).status).toBe(200);
            expect(await (await fetch(url(publicMirror, NIX_CACHE_INFO_KEY))).text()).toContain("Priority: 50");
        });

        it("Nix substitutes the pushed path from the substituter URL only when the mirror key is trusted", () => {
            const substituter = mirrorSubstituterUrl(publicMirror);
            expect(substituter).toBe(`${server.endpoint}/${publicMirror.bucket}?priority=50`);
            nix.run("nix-store", ["--delete", pushed.storePath]);
            const realise = (trustedKey: string) => () =>
                nix.run("nix-store", ["-r", pushed.storePath, "--option", "substituters", substituter, "--option", "trusted-public-keys", trustedKey]);
            expect(realise(generateNixSigningKey("atproto-mirror-1").publicKey)).toThrow();
            expect(() => nix.run("nix-store", ["--check-validity", pushed.storePath])).toThrow();
            expect(realise(key.publicKey)().trim()).toBe(pushed.storePath);
            expect(() => nix.run("nix-store", ["--check-validity", pushed.storePath])).not.toThrow();
            expect(fs.readFileSync(pushed.storePath, "utf8")).toBe(`${path.basename(pushed.storePath).slice(33)}\n`);
        });
    });

    describe("CI's write policy", () => {
        it("lets CI push, but not delete, change the bucket or touch another bucket", async () => {
            await server.createBucket("nix-mirror-elsewhere");
            const writer = await ciCredentials(publicMirror.bucket);
            const denied = (promise: Promise<unknown>) => expect(promise).rejects.toMatchObject({ name: "AccessDenied" });
            await writer.send(new PutObjectCommand({ Bucket: publicMirror.bucket, Key: "ci-write-check.narinfo", Body: "x" }));
            await expect(writer.send(new HeadObjectCommand({ Bucket: publicMirror.bucket, Key: "missing.narinfo" }))).rejects.toMatchObject({ name: "NotFound" });
            await denied(writer.send(new DeleteObjectCommand({ Bucket: publicMirror.bucket, Key: pushed.narinfo })));
            await denied(writer.send(new PutBucketPolicyCommand({ Bucket: publicMirror.bucket, Policy: "{}" })));
            await denied(writer.send(new PutObjectCommand({ Bucket: "nix-mirror-elsewhere", Key: "x", Body: "x" })));
            writer.destroy();
        });

        it("writes only the keys Nix writes: never nix-cache-info, nor any other key", async () => {
            const writer = await ciCredentials(publicMirror.bucket);
            const Bucket = publicMirror.bucket;
            for (const Key of ["0000000000000000000000000000000b.narinfo", "nar/0000.nar.zst", "realisations/sha256:00!out.doi", "log/0000-x.drv"]) {
                await writer.send(new PutObjectCommand({ Bucket, Key, Body: "x" }));
            }
            for (const Key of [NIX_CACHE_INFO_KEY, "index.html", "x.narinfo.bak"]) {
                await expect(writer.send(new PutObjectCommand({ Bucket, Key, Body: "Priority: 0\n" })), Key).rejects.toMatchObject({ name: "AccessDenied" });
            }
            await expect(writer.send(new CreateMultipartUploadCommand({ Bucket, Key: NIX_CACHE_INFO_KEY }))).rejects.toMatchObject({ name: "AccessDenied" });
            expect(await (await fetch(url(publicMirror, NIX_CACHE_INFO_KEY))).text()).toContain("Priority: 50");
            writer.destroy();
        });

        it("covers multipart uploads, which large NARs use: start, upload, list and abort", async () => {
            const writer = await ciCredentials(publicMirror.bucket);
            const Bucket = publicMirror.bucket;
            const Key = "nar/multipart-check.nar.zst";
            const { UploadId } = await writer.send(new CreateMultipartUploadCommand({ Bucket, Key }));
            await writer.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: Buffer.alloc(1024, 1) }));
            expect((await writer.send(new ListPartsCommand({ Bucket, Key, UploadId }))).Parts).toHaveLength(1);
            expect((await writer.send(new ListMultipartUploadsCommand({ Bucket }))).Uploads?.map((u) => u.UploadId)).toContain(UploadId);
            await writer.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
            writer.destroy();
        });
    });

    describe("the stack's requests for MinIO (server: minio)", () => {
        it("all succeed, retention included, and the server holds what was sent", async () => {
            const mirror = await applyStack("nix-mirror-retained", true, { retentionDays: 30 });
            const plan = mirrorBucketPlan(mirror);
            expect(Object.keys(plan).sort()).toEqual(["bucket", "cacheInfo", "lifecycleRules", "policy"]);
            const lifecycle = await server.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: mirror.bucket }));
            expect(lifecycle.Rules?.map((r) => ({ ID: r.ID, Filter: r.Filter, Expiration: r.Expiration }))).toEqual(
                plan.lifecycleRules.map(lifecycleRule).map((r) => ({ ID: r.ID, Filter: r.Filter, Expiration: r.Expiration })),
            );
            expect(JSON.parse((await server.s3.send(new GetBucketPolicyCommand({ Bucket: mirror.bucket }))).Policy!).Statement.length).toBeGreaterThan(0);
            const info = await fetch(url(mirror, NIX_CACHE_INFO_KEY));
            expect([info.status, info.headers.get("content-type"), await info.text()]).toEqual([200, NIX_CACHE_INFO_CONTENT_TYPE, plan.cacheInfo.content]);
        });

        it("leaves out exactly the AWS requests MinIO refuses: each one fails there when sent", async () => {
            const aws = mirrorBucketPlan(rendered({ bucket: "nix-mirror-aws-only" }).model.mirror!);
            const minio = mirrorBucketPlan(rendered({ bucket: "nix-mirror-aws-only", endpoint: server.endpoint, server: "minio" }).model.mirror!);
            const omitted = (["ownershipControls", "encryption", "publicAccessBlock"] as const).filter((k) => aws[k] !== undefined && minio[k] === undefined);
            expect(omitted).toEqual(["ownershipControls", "encryption", "publicAccessBlock"]);
            expect(aws.lifecycleRules.map((r) => r.id)).toContain("abort-incomplete-multipart-uploads");
            expect(minio.lifecycleRules.map((r) => r.id)).not.toContain("abort-incomplete-multipart-uploads");
            for (const key of [...omitted, "abortRule"] as const) {
                const bucket = `nix-mirror-refused-${key.toLowerCase()}`;
                // Only the one request: it must fail on its own, not because of an earlier one.
                const single = { ...minio, bucket: { bucket }, policy: undefined, lifecycleRules: key === "abortRule" ? aws.lifecycleRules.slice(0, 1) : [] };
                const withOne = key === "abortRule" ? single : { ...single, [key]: aws[key] };
                // 400 (malformed or invalid) or 501 (not implemented), never a conflict with an earlier request.
                await expect(applyBucketPlan(server.s3, withOne), key).rejects.toMatchObject({ $metadata: { httpStatusCode: key === "encryption" ? 501 : 400 } });
            }
        });

        it("the push URL is Nix's S3 store URL with the endpoint as a URL, the server's own address", () => {
            const parsed = parseNixS3Url(mirrorPushUrl(publicMirror, { secretKeyFile: "/run/key" }));
            expect(parsed).toEqual({ bucket: publicMirror.bucket, params: expect.objectContaining({ endpoint: server.endpoint, region: MINIO_REGION }) });
            // The SDK, like Nix, finds the bucket at that endpoint path style.
            const client = new S3Client({ endpoint: parsed.params.endpoint, region: parsed.params.region, forcePathStyle: true, credentials: server.credentials });
            return expect(client.send(new HeadObjectCommand({ Bucket: parsed.bucket, Key: NIX_CACHE_INFO_KEY })).finally(() => client.destroy())).resolves.toBeDefined();
        });
    });

    describe("a private mirror", () => {
        it("gets no bucket policy over plain HTTP and refuses every anonymous read", async () => {
            const mirror = await applyStack("nix-mirror-private", false);
            expect(rendered({ bucket: mirror.bucket, endpoint: server.endpoint, server: "minio", public: false }).files[MIRROR_ARTIFACT_PATHS.bucketPolicy]).toBeUndefined();
            expect((await fetch(url(mirror, NIX_CACHE_INFO_KEY))).status).toBe(403);
            expect((await fetch(url(mirror, "0000000000000000000000000000000a.narinfo"))).status).toBe(403);
            expect((await fetch(url(mirror, "x.narinfo"), { method: "PUT", body: "x" })).status).toBe(403);
            // Its substituter is Nix's S3 store, with credentials, never the anonymous HTTP URL.
            expect(mirrorSubstituterUrl(mirror)).toMatch(/^s3:\/\/nix-mirror-private\?/);
        });
    });

    describe("the policies rendered for AWS", () => {
        it("are accepted by the server as they are, and the TLS-only rule refuses plain HTTP", async () => {
            for (const [bucket, isPublic] of [["nix-mirror-aws-public", true], ["nix-mirror-aws-private", false]] as const) {
                await server.createBucket(bucket);
                const policy = rendered({ bucket, region: MINIO_REGION, public: isPublic }).files[MIRROR_ARTIFACT_PATHS.bucketPolicy];
                expect(policy).toContain("aws:SecureTransport");
                await server.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
                await server.s3.send(new PutObjectCommand({ Bucket: bucket, Key: NIX_CACHE_INFO_KEY, Body: "StoreDir: /nix/store\n" }));
                expect((await fetch(`${server.endpoint}/${bucket}/${NIX_CACHE_INFO_KEY}`)).status).toBe(403);
            }
        });
    });
});

/** Files under `dir`, as `/`-separated paths relative to it. */
function listFiles(dir: string, prefix = ""): string[] {
    return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
        const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
        return entry.isDirectory() ? listFiles(dir, relative) : [relative];
    });
}
