import { MirrorSpec } from "./model";
import { Problems } from "./problems";
import { readObject, StringRule } from "./reader";

const rule = (pattern: RegExp, expected: string): StringRule => (value) => (pattern.test(value) ? undefined : expected);

const bucketRule = rule(
    /^(?!.*\.\.)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    "an S3 bucket name: 3-63 lowercase letters, digits, '.' or '-'",
);
const regionRule = rule(/^[a-z]{2}(-[a-z]+)+-\d+$/, "an AWS region such as us-east-1");
const endpointRule = rule(/^https?:\/\/[^\s/?#]+\/?$/, "an http(s):// endpoint URL without a path");
const keyNameRule = rule(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "a key name such as atproto-mirror-1");
const arnRule = rule(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/\S+$/, "an IAM OIDC provider ARN");

/** Default `Priority` of the mirror: after cache.nixos.org (40) and Cachix (41). */
export const DEFAULT_MIRROR_PRIORITY = 50;

/**
 * Reads `nix-cache:mirror`. The section is checked for typos even when `enabled` is false;
 * it yields a mirror only when enabled.
 */
export function readMirrorSection(
    problems: Problems,
    path: string,
    value: unknown,
    cacheName: string | undefined,
): MirrorSpec | undefined {
    const item = readObject(problems, path, value, [
        "enabled", "bucket", "region", "endpoint", "public", "priority", "keyName", "retentionDays",
        "ciCredentials", "oidcProviderArn",
    ]);
    if (!item) {
        return undefined;
    }
    const enabled = item.optionalBoolean("enabled") ?? true;
    const bucket = enabled ? item.requiredString("bucket", { rule: bucketRule }) : item.optionalString("bucket", { rule: bucketRule });
    const spec = {
        bucket,
        region: item.optionalString("region", { rule: regionRule }) ?? "us-east-1",
        endpoint: item.optionalString("endpoint", { rule: endpointRule }),
        public: item.optionalBoolean("public") ?? true,
        priority: item.optionalInteger("priority", { min: 0, max: 1000 }) ?? DEFAULT_MIRROR_PRIORITY,
        keyName: item.optionalString("keyName", { rule: keyNameRule }) ?? `${cacheName ?? "cache"}-mirror-1`,
        retentionDays: item.optionalInteger("retentionDays", { min: 1, max: 36500 }),
        ciCredentials: item.optionalEnum("ciCredentials", ["oidc", "accessKeys"] as const) ?? "oidc",
        oidcProviderArn: item.optionalString("oidcProviderArn", { rule: arnRule }),
    };
    if (spec.oidcProviderArn !== undefined && spec.ciCredentials !== "oidc") {
        problems.add(item.pathOf("oidcProviderArn"), "only applies when ciCredentials is oidc");
    }
    if (spec.endpoint !== undefined && (spec.oidcProviderArn !== undefined || item.has("ciCredentials"))) {
        // An S3-compatible server is not AWS: no IAM role or user is made for CI there.
        const key = spec.oidcProviderArn !== undefined ? "oidcProviderArn" : "ciCredentials";
        problems.add(item.pathOf(key), "only applies to AWS; with endpoint set, CI's key for that server is set by hand (see docs/mirror.md)");
    }
    return enabled && bucket !== undefined ? { ...spec, bucket } : undefined;
}
