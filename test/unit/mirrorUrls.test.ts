import { describe, expect, it } from "vitest";
import { loadStackModel } from "../../components/config/load";
import { mirrorPushUrl, mirrorSubstituterUrl } from "../../components/formats/s3Urls";
import { MINIMAL, rawConfig } from "../support/config";
import { parseNixS3Url } from "../support/nixS3Url";

const mirrorOf = (mirror: Record<string, unknown>) => loadStackModel(rawConfig({ ...MINIMAL, mirror }), { mode: "render" }).mirror!;

describe("the S3 store URL grammar checker", () => {
    // From Nix's manual (S3 binary cache store) and the forms older releases documented.
    it.each([
        ["s3://example-nix-cache", {}],
        ["s3://example-nix-cache?profile=cache-upload&region=eu-west-2", { profile: "cache-upload", region: "eu-west-2" }],
        ["s3://example-nix-cache?endpoint=http://127.0.0.1:9000&region=us-east-1", { endpoint: "http://127.0.0.1:9000", region: "us-east-1" }],
        ["s3://example-nix-cache?endpoint=https%3A%2F%2Fminio.example.com&region=us-east-1", { endpoint: "https://minio.example.com", region: "us-east-1" }],
        ["s3://nix-cache?region=auto&endpoint=https://0123abcd.r2.cloudflarestorage.com", { region: "auto", endpoint: "https://0123abcd.r2.cloudflarestorage.com" }],
        ["s3://example-nix-cache?compression=zstd&multipart-upload=true&secret-key=/run/key", { compression: "zstd", "multipart-upload": "true", "secret-key": "/run/key" }],
    ])("accepts %s", (url, params) => {
        expect(parseNixS3Url(url).params).toEqual(params);
    });

    it.each([
        // The old form: current Nix takes "minio.example.com:9000" as a URL of scheme "minio.example.com".
        ["s3://example-nix-cache?endpoint=minio.example.com:9000&region=us-east-1", /read as a URL of scheme "minio.example.com"/],
        ["s3://example-nix-cache?endpoint=127.0.0.1:9000", /not a URL/],
        ["s3://example-nix-cache?endpoint=minio.example.com&scheme=https", /not a URL|scheme= is not read/],
        ["s3://example-nix-cache?region=eu-west-2&scheme=https", /scheme= is not read/],
        ["s3://example-nix-cache?endpoint=ftp://host", /http:\/\/ or https:\/\//],
        ["s3://example-nix-cache?endpoint=https://host/path", /without path/],
        ["s3://example-nix-cache?regoin=eu-west-2", /unknown parameter regoin/],
        ["s3://example-nix-cache?multipart-upload=yes", /true or false/],
        ["s3://Example?region=eu-west-2", /bucket name/],
        ["s3://example-nix-cache?secret-key=/a b", /RFC 3986/],
        ["https://example-nix-cache.s3.amazonaws.com", /not s3:\/\//],
    ])("rejects %s", (url, reason) => {
        expect(() => parseNixS3Url(url)).toThrow(reason);
    });
});

describe("the mirror's s3:// URLs follow the grammar", () => {
    it.each([
        [{ bucket: "atproto-nix-cache", region: "eu-west-1" }, { region: "eu-west-1" }],
        [{ bucket: "nix-cache", endpoint: "http://127.0.0.1:9000", server: "minio" }, { region: "us-east-1", endpoint: "http://127.0.0.1:9000" }],
        [{ bucket: "nix-cache", endpoint: "https://minio.example.org:9443/", server: "minio" }, { region: "us-east-1", endpoint: "https://minio.example.org:9443" }],
        [
            { bucket: "nix-cache", endpoint: "https://0123abcd.r2.cloudflarestorage.com", server: "r2", region: "auto", publicUrl: "https://pub-0123.r2.dev" },
            { region: "auto", endpoint: "https://0123abcd.r2.cloudflarestorage.com" },
        ],
    ])("push and private substituter of %j", (config, where) => {
        const mirror = mirrorOf(config);
        const push = parseNixS3Url(mirrorPushUrl(mirror, { secretKeyFile: "$RUNNER_TEMP/key" }));
        expect(push.bucket).toBe(config.bucket);
        expect(push.params).toMatchObject({ ...where, compression: "zstd", "secret-key": "$RUNNER_TEMP/key" });
        const privateMirror = mirrorOf({ ...config, public: false, publicUrl: undefined });
        expect(parseNixS3Url(mirrorSubstituterUrl(privateMirror)).params).toMatchObject({ ...where, priority: "50" });
    });
});
