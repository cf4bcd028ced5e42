/**
 * A checker of Nix's S3 store URL, as current Nix (2.33 and later) reads it:
 * `s3://BUCKET[?PARAM=VALUE(&PARAM=VALUE)*]`. The query follows RFC 3986 (`pchar / "/" / "?"`);
 * values are percent-decoded; `endpoint` is a URL with its scheme (a bare `HOST:PORT` is read
 * as a URL whose scheme is HOST); `scheme` is no longer consulted. Parameters are those of the
 * S3 store and of every binary-cache store, from Nix's manual.
 */

/** The S3 store's own parameters and the binary-cache store's, with what each value must be. */
const PARAMS: Record<string, (value: string) => string | undefined> = {
    region: (v) => (/^[a-z0-9-]+$/.test(v) ? undefined : "a region name"),
    endpoint: (v) => endpointProblem(v),
    profile: (v) => (v.length > 0 ? undefined : "a profile name"),
    "addressing-style": (v) => (["auto", "path", "virtual"].includes(v) ? undefined : "auto, path or virtual"),
    "multipart-upload": boolean,
    "multipart-chunk-size": integer,
    "multipart-threshold": integer,
    "storage-class": (v) => (/^[A-Z_]+$/.test(v) ? undefined : "an S3 storage class"),
    compression: (v) => (["none", "xz", "bzip2", "gzip", "zstd", "br"].includes(v) ? undefined : "a compression method"),
    "compression-level": integer,
    "parallel-compression": boolean,
    "secret-key": (v) => (v.length > 0 ? undefined : "a key file"),
    "write-nar-listing": boolean,
    "want-mass-query": boolean,
    priority: integer,
    trusted: boolean,
};

function boolean(v: string): string | undefined {
    return v === "true" || v === "false" ? undefined : "true or false";
}
function integer(v: string): string | undefined {
    return /^\d+$/.test(v) ? undefined : "an integer";
}
function endpointProblem(value: string): string | undefined {
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1];
    if (scheme === undefined || !value.startsWith(`${scheme}://`)) {
        return `a URL with its scheme; "${value}" is ${scheme === undefined ? "not a URL" : `read as a URL of scheme "${scheme}"`}`;
    }
    if (scheme !== "http" && scheme !== "https") {
        return `an http:// or https:// URL; got scheme "${scheme}"`;
    }
    const url = new URL(value);
    return url.pathname === "/" && url.search === "" && url.username === "" ? undefined : "an endpoint without path, query or credentials";
}

/** A parsed store URL. */
export interface NixS3Url {
    readonly bucket: string;
    readonly params: Readonly<Record<string, string>>;
}

/** Parses `text` as Nix's S3 store URL, or throws saying which part breaks the grammar. */
export function parseNixS3Url(text: string): NixS3Url {
    const match = /^s3:\/\/([^/?#]+)(?:\?([^#]*))?$/.exec(text);
    if (match === null) {
        throw new Error(`not s3://BUCKET[?QUERY]: ${text}`);
    }
    const [, bucket, query] = match;
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
        throw new Error(`bucket ${bucket} is not an S3 bucket name`);
    }
    const params: Record<string, string> = {};
    if (query !== undefined) {
        // RFC 3986: query = *( pchar / "/" / "?" ); pchar = unreserved / pct-encoded / sub-delims / ":" / "@".
        if (!/^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*$/.test(query)) {
            throw new Error(`query has characters RFC 3986 does not allow: ${query}`);
        }
        for (const pair of query.split("&")) {
            const eq = pair.indexOf("=");
            if (eq <= 0) {
                throw new Error(`query part ${pair} is not NAME=VALUE`);
            }
            const name = decodeURIComponent(pair.slice(0, eq));
            const value = decodeURIComponent(pair.slice(eq + 1));
            if (name === "scheme") {
                throw new Error("scheme= is not read by current Nix: give endpoint its scheme");
            }
            const check = PARAMS[name];
            if (check === undefined) {
                throw new Error(`unknown parameter ${name}`);
            }
            if (name in params) {
                throw new Error(`parameter ${name} given twice`);
            }
            const problem = check(value);
            if (problem !== undefined) {
                throw new Error(`${name}: expected ${problem}`);
            }
            params[name] = value;
        }
    }
    return { bucket, params };
}
