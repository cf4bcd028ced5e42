import { MirrorCiCredentials, MirrorServer, OidcSubjectClaim } from "./enums";

/**
 * The S3 mirror, as `nix-cache:mirror` writes it (see docs/mirror.md). Plain values: the bucket,
 * server kind and credentials kind decide which resources exist.
 */
export interface MirrorArgs {
    /** Turn the mirror on (true unless set) or off, keeping the settings. */
    enabled?: boolean;
    /** Bucket name; required when enabled. */
    bucket?: string;
    /** AWS region (`us-east-1` unless set); `auto` for R2. */
    region?: string;
    /** Custom S3 endpoint, `http(s)://HOST[:PORT]`, for an S3-compatible server; AWS unless set. */
    endpoint?: string;
    /** With endpoint: which server it is, so only what it supports is created (`generic` unless set). */
    server?: MirrorServer;
    /** A public mirror's anonymous read address when it is not ENDPOINT/BUCKET (R2: the r2.dev or custom-domain URL). */
    publicUrl?: string;
    /** Anonymous reads allowed, so hosts need no credentials (true unless set). */
    public?: boolean;
    /** `Priority` in nix-cache-info and on hosts' substituter URL, lower wins (50 unless set). */
    priority?: number;
    /** Name of the mirror's signing key; `CACHE-mirror-1` unless set. */
    keyName?: string;
    /** During a key rotation: the key being replaced, trusted until every path is re-signed with keyName. */
    previousKeyName?: string;
    /** Copy only the paths cache.nixos.org does not serve (default: when hosts trust cache.nixos.org). */
    skipUpstreamPaths?: boolean;
    /** Expire cache objects after this many days; kept forever unless set. */
    retentionDays?: number;
    /** How CI gets write access on AWS: `oidc` (default) or `accessKeys`. */
    ciCredentials?: MirrorCiCredentials;
    /** Let anyone list the bucket's keys (off unless set). */
    anonymousList?: boolean;
    /** The OIDC subject's claims the role trusts, in order; GitHub's default unless set. */
    oidcSubjectClaims?: OidcSubjectClaim[];
    /** ARN of an existing GitHub OIDC provider; one is created unless set. */
    oidcProviderArn?: string;
}
