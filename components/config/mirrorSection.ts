import { z } from "zod";
import { across, flag, integer, list, noDuplicates, oneOf, section, text } from "./fields";
import * as names from "../formats/names";
import { urlProblem } from "../formats/urls";

/**
 * Claims GitHub can put in an OIDC token's `sub` (its "include_claim_keys") whose values the
 * stack knows for a build job. `repo` and `context` are GitHub's default template.
 */
export const OIDC_SUBJECT_CLAIMS = ["repo", "context", "job_workflow_ref", "ref", "repository_owner", "workflow"] as const;

/** Default `Priority` of the mirror: after cache.nixos.org (40) and Cachix (41). */
export const DEFAULT_MIRROR_PRIORITY = 50;

/** A custom S3 endpoint: `http(s)://HOST[:PORT]`, nothing after (its parts become S3 store parameters). */
const endpointRule = (value: string) => urlProblem(value, { schemes: ["https", "http"], path: false });

/** Where hosts read a public mirror anonymously: `http(s)://HOST[:PORT][/PATH]`. */
const publicUrlRule = (value: string) => urlProblem(value, { schemes: ["https", "http"], path: true });

/** An AWS region, or `auto`: R2's one region (checked against `endpoint` below). */
const regionRule = { pattern: new RegExp(`^(auto|${names.awsRegion.pattern.source.replace(/^\^|\$$/g, "")})$`), expected: `${names.awsRegion.expected}, or auto (R2)` };

/** An enabled mirror needs a bucket; CI's credentials are AWS's only; each server kind gets what it supports. */
const mirrorFieldsAgree = across((value, ctx) => {
    const issue = (key: string, message: string) => ctx.addIssue({ code: "custom", path: [key], message, input: undefined });
    if (value.enabled !== false && value.bucket === undefined) {
        issue("bucket", "is required; expected a string");
    }
    if (value.endpoint === undefined) {
        if (value.server !== undefined) {
            issue("server", "only applies with endpoint set; without it the mirror is on AWS");
        }
        if (value.region === "auto") {
            issue("region", "auto is R2's region; on AWS expected a region such as us-east-1");
        }
    }
    const kind = value.endpoint === undefined ? "aws" : value.server ?? "generic";
    if ((kind === "r2" || kind === "generic") && value.retentionDays !== undefined) {
        // R2's lifecycle rules filter by prefix only: no rule can expire narinfos and NARs and spare nix-cache-info.
        issue("retentionDays", `is not supported with server ${kind} (no lifecycle rule there can spare nix-cache-info); expected AWS or server minio`);
    }
    if (value.server === "r2" && value.public !== false && value.publicUrl === undefined) {
        issue("publicUrl", "is required for a public mirror on R2: its S3 API serves no anonymous reads; expected the bucket's r2.dev or custom-domain URL");
    }
    if (value.publicUrl !== undefined && value.public === false) {
        issue("publicUrl", "only applies to a public mirror; a private one is read through Nix's S3 store");
    }
    if (value.oidcProviderArn !== undefined && (value.ciCredentials ?? "oidc") !== "oidc") {
        issue("oidcProviderArn", "only applies when ciCredentials is oidc");
    }
    if (value.previousKeyName !== undefined && (value.keyName === undefined || value.keyName === value.previousKeyName)) {
        issue("previousKeyName", "is the key being replaced; expected keyName set to the new key's name, different from it");
    }
    if (value.oidcSubjectClaims !== undefined && (value.endpoint !== undefined || (value.ciCredentials ?? "oidc") !== "oidc")) {
        issue("oidcSubjectClaims", "only applies to GitHub OIDC on AWS (ciCredentials oidc, no endpoint)");
    }
    if (Array.isArray(value.oidcSubjectClaims) && !value.oidcSubjectClaims.includes("repo") && !value.oidcSubjectClaims.includes("job_workflow_ref")) {
        // Without either, a token of any repository could match the subject.
        issue("oidcSubjectClaims", "must include repo or job_workflow_ref, or tokens of any repository could match");
    }
    if (value.endpoint !== undefined && (value.oidcProviderArn !== undefined || value.ciCredentials !== undefined)) {
        // An S3-compatible server is not AWS: no IAM role or user is made for CI there.
        const key = value.oidcProviderArn !== undefined ? "oidcProviderArn" : "ciCredentials";
        issue(key, "only applies to AWS; with endpoint set, CI's key for that server is set by hand (see docs/mirror.md)");
    }
});

/**
 * `nix-cache:mirror`. The section is checked for typos even when `enabled` is false; it
 * yields a mirror only when enabled.
 */
export const mirrorSection = section(
    {
        enabled: flag("Turn the mirror on (default) or off, keeping the section").default(true),
        bucket: text([names.bucketName]).meta({ description: "Bucket name." }).optional(),
        region: text([regionRule]).meta({ description: "AWS region; `auto` for R2." }).default("us-east-1"),
        endpoint: text([endpointRule]).meta({ description: "Custom S3 endpoint (an S3-compatible server); AWS when undefined." }).optional(),
        server: oneOf(["minio", "r2", "generic"], {
            argsType: "MirrorServer",
        typeDescription: "The kind of S3-compatible server behind a mirror's endpoint",
            members: { minio: "MinIO", r2: "Cloudflare R2", generic: "Any other S3-compatible server: only the bucket, its objects and its policy" },
        }).meta({ description: "With endpoint: which server it is, so only what it supports is created (see docs/mirror.md); `generic` unless set." }).optional(),
        publicUrl: text([publicUrlRule]).meta({ description: "A public mirror's anonymous read address when it is not ENDPOINT/BUCKET (R2: the r2.dev or custom-domain URL)." }).optional(),
        public: flag().meta({ description: "Anonymous reads allowed (hosts need no credentials)." }).default(true),
        priority: integer(0, 1000).meta({ description: "`Priority` in nix-cache-info and on hosts' substituter URL (lower wins)." }).default(DEFAULT_MIRROR_PRIORITY),
        keyName: text([names.nixKeyName]).meta({ description: "Name of the mirror's signing key, e.g. `atproto-mirror-1`; `CACHE-mirror-1` unless set." }).optional(),
        previousKeyName: text([names.nixKeyName]).meta({ description: "Rotation: the key being replaced. While set, hosts trust it and `keyName` together and CI re-signs every path in the bucket with `keyName`; remove it to drop the old key." }).optional(),
        skipUpstreamPaths: flag("Copy only the paths cache.nixos.org does not serve (default: when hosts trust cache.nixos.org)").meta({ description: "Copy only the paths cache.nixos.org does not serve (those without its signature): hosts get the rest from it. Defaults to useCacheNixosOrg; needs it." }).optional(),
        retentionDays: integer(1, 36500).meta({ description: "Expire cache objects after this many days; kept forever when undefined." }).optional(),
        ciCredentials: oneOf(["oidc", "accessKeys"], {
            argsType: "MirrorCiCredentials",
        typeDescription: "How CI gets write access to the mirror on AWS",
            members: { oidc: "A role CI assumes with GitHub's OIDC token (keyless)", accessKeys: "An IAM user with a long-lived access key (opt-in)" },
        }).meta({ description: "How CI gets write access: GitHub OIDC (keyless) or long-lived access keys (opt-in)." }).optional(),
        anonymousList: flag("Let anyone list the bucket's keys (off by default: Nix needs no listing, and it lets anyone enumerate the bucket at the owner's cost)").meta({ description: "Let anyone list the bucket's keys. Off: Nix reads a 403 for a missing object as \"not in this cache\"." }).default(false),
        oidcSubjectClaims: list(oneOf(OIDC_SUBJECT_CLAIMS, {
            argsType: "OidcSubjectClaim",
        typeDescription: "A claim of GitHub's OIDC token that the mirror's role may require in the subject",
            members: {
                repo: "`repo`: owner/repository",
                context: "`context`: the branch, environment or pull request",
                job_workflow_ref: "`job_workflow_ref`: the workflow file and ref",
                ref: "`ref`: the git ref",
                repository_owner: "`repository_owner`",
                workflow: "`workflow`: the workflow's name",
            },
        }), { min: 1 }).check(noDuplicates((c) => (typeof c === "string" ? c : undefined), "claim")).meta({ description: "The claims of the OIDC subject the role trusts, in order (GitHub's include_claim_keys); when set, the stack also sets each repository's subject template to them. Include `job_workflow_ref` to trust only the stack's workflow file. GitHub's default when undefined." }).optional(),
        oidcProviderArn: text([names.oidcProviderArn]).meta({ description: "ARN of an existing GitHub OIDC provider; one is created when undefined." }).optional(),
    },
    { description: "The optional S3 mirror (see docs/mirror.md)", argsType: "MirrorArgs", checks: [mirrorFieldsAgree] },
).transform(({ enabled, bucket, ciCredentials, ...rest }) =>
    enabled && bucket !== undefined ? { ...rest, bucket, ciCredentials: ciCredentials ?? "oidc" } : undefined,
);

/** The mirror as parsed, before the stack names its key. */
export type ParsedMirror = NonNullable<z.output<typeof mirrorSection>>;

/**
 * Rules between the mirror and the rest of the stack, on the raw document: a private mirror
 * cannot serve the stack's hosts (they would get an `s3://` substituter and no credentials to
 * read it with), and skipping upstream paths needs hosts that trust upstream.
 */
export function mirrorStackRules(doc: Readonly<Record<string, unknown>>, issue: (path: PropertyKey[], message: string) => void): void {
    const mirror = doc.mirror as Record<string, unknown> | undefined;
    if (mirror === undefined || mirror === null || typeof mirror !== "object" || mirror.enabled === false) {
        return;
    }
    if (mirror.public === false && Array.isArray(doc.hosts) && doc.hosts.length > 0) {
        issue(["mirror", "public"], "a private mirror cannot serve the stack's hosts: they would get an s3:// substituter without credentials; expected public: true, or no hosts");
    }
    if (mirror.skipUpstreamPaths === true && doc.useCacheNixosOrg === false) {
        issue(["mirror", "skipUpstreamPaths"], "needs useCacheNixosOrg: hosts that do not trust cache.nixos.org must find its paths in the mirror; expected false");
    }
}
