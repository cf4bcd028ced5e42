/** Where a bucket is: its name and region, and the endpoint of an S3-compatible server (none on AWS). */
export interface BucketLocation {
    readonly bucket: string;
    readonly region: string;
    readonly endpoint?: string;
}

type UrlInput = BucketLocation & { readonly publicUrl?: string };

/** The AWS partition of a region: ARNs and hostnames differ outside the commercial one. */
export type AwsPartition = "aws" | "aws-cn" | "aws-us-gov";

/**
 * The partition of the mirror's ARNs. S3-compatible servers (a custom endpoint) only know the
 * commercial partition's `arn:aws:` form.
 */
export function awsPartition(mirror: Pick<BucketLocation, "region" | "endpoint">): AwsPartition {
    if (mirror.endpoint !== undefined) {
        return "aws";
    }
    if (mirror.region.startsWith("cn-")) {
        return "aws-cn";
    }
    return mirror.region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

/**
 * The bucket's plain HTTP(S) address, as Nix's HTTP binary-cache store reads it: `publicUrl`
 * when set (R2's r2.dev or custom domain); `ENDPOINT/BUCKET` (path style) for a custom endpoint; on AWS the virtual-hosted
 * `https://BUCKET.s3.REGION.amazonaws.com`, or path style when the bucket name has a dot
 * (a dotted name breaks the wildcard TLS certificate).
 */
export function mirrorHttpUrl(mirror: UrlInput): string {
    if (mirror.publicUrl !== undefined) {
        return mirror.publicUrl.replace(/\/+$/, "");
    }
    if (mirror.endpoint !== undefined) {
        return `${mirror.endpoint.replace(/\/+$/, "")}/${mirror.bucket}`;
    }
    const domain = awsPartition(mirror) === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
    return mirror.bucket.includes(".")
        ? `https://s3.${mirror.region}.${domain}/${mirror.bucket}`
        : `https://${mirror.bucket}.s3.${mirror.region}.${domain}`;
}

/**
 * The substituter hosts use. A public mirror is read anonymously over HTTP(S); a private one
 * through Nix's S3 store (`s3://`, with AWS credentials on the host). `priority` is repeated in
 * the URL because Nix remembers a cache's `nix-cache-info` for days: the URL's value applies at
 * once and wins over the remembered one.
 */
export function mirrorSubstituterUrl(mirror: UrlInput & { readonly public: boolean; readonly priority: number }): string {
    const priority = `priority=${mirror.priority}`;
    return mirror.public ? `${mirrorHttpUrl(mirror)}?${priority}` : `${s3Url(mirror)}&${priority}`;
}

/** Options of {@link mirrorPushUrl}. */
export interface PushUrlOptions {
    /**
     * A file holding the mirror's secret key: `nix copy` then signs every path it uploads.
     * Written into the URL as is (a shell variable such as `$KEY_FILE` works); it must not
     * contain `&`, `#`, `?` or whitespace.
     */
    readonly secretKeyFile?: string;
}

/**
 * The store URL CI pushes to with `nix copy --to URL`: Nix's S3 store, zstd-compressed NARs
 * (fast to write and to unpack), uploaded in parts (a single PUT stops at 5 GiB, and a failed
 * part is retried alone), signed with the mirror key when `secretKeyFile` is given.
 */
export function mirrorPushUrl(mirror: UrlInput, options: PushUrlOptions = {}): string {
    const url = `${s3Url(mirror)}&compression=zstd&multipart-upload=true`;
    if (options.secretKeyFile === undefined) {
        return url;
    }
    if (!/^[^\s&#?]+$/.test(options.secretKeyFile)) {
        throw new Error("mirrorPushUrl: secretKeyFile must be a path without whitespace, '&', '#' or '?'");
    }
    return `${url}&secret-key=${options.secretKeyFile}`;
}

/**
 * `s3://BUCKET?region=R`, plus `endpoint=SCHEME://HOST[:PORT]` for an S3-compatible server.
 * Current Nix (2.33 and later) takes the endpoint as a URL: a bare `HOST:PORT` there is read
 * as a URL whose scheme is the host, and `scheme=` is no longer consulted. `:` and `/` are
 * plain query characters (RFC 3986), so the value needs no escaping; the endpoint was checked
 * to have no path, query or credentials.
 */
function s3Url(mirror: UrlInput): string {
    const params = [`region=${mirror.region}`];
    if (mirror.endpoint !== undefined) {
        params.push(`endpoint=${new URL(mirror.endpoint).origin}`);
    }
    return `s3://${mirror.bucket}?${params.join("&")}`;
}
