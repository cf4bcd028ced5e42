import { MirrorSpec } from "../config/model";

/**
 * The stack's `aws:*` settings, by key without the namespace (`profile`, `allowedAccountIds`,
 * `assumeRoles`, ...), each as the AWS provider's config reads it.
 */
export type AwsStackSettings = Readonly<Record<string, unknown>>;

/** The settings of the mirror's own AWS provider: the stack's `aws:*` settings and the mirror's own. */
export interface MirrorProviderArgs {
    /** The mirror's region. */
    readonly region: string;
    /** Custom endpoint only: where S3 calls go. */
    readonly endpoints?: { readonly s3: string }[];
    /** Custom endpoint only: `ENDPOINT/BUCKET` addressing (servers rarely have per-bucket DNS). */
    readonly s3UsePathStyle?: boolean;
    /** Custom endpoint only: no STS call to check the credentials. */
    readonly skipCredentialsValidation?: boolean;
    /** Custom endpoint only: no STS/IAM call to find the account id. */
    readonly skipRequestingAccountId?: boolean;
    /** Custom endpoint only: no EC2 metadata lookup. */
    readonly skipMetadataApiCheck?: boolean;
    /** Custom endpoint only: the server's region name need not be one AWS knows. */
    readonly skipRegionValidation?: boolean;
    /** Any other `aws:*` setting of the stack, passed on as it is. */
    readonly [setting: string]: unknown;
}

/** Settings that need AWS's own STS: meaningless against an S3-compatible server. */
const STS_SETTINGS = ["allowedAccountIds", "forbiddenAccountIds", "assumeRoles", "assumeRoleWithWebIdentity", "stsRegion"];

/** Settings the mirror decides for an S3-compatible server. */
const ENDPOINT_SETTINGS = ["endpoints", "s3UsePathStyle", "skipCredentialsValidation", "skipRequestingAccountId", "skipMetadataApiCheck", "skipRegionValidation"];

/**
 * What is wrong with the stack's `aws:*` settings for this mirror, one message per key (no
 * value but a region's): the mirror's region is the provider's, so a different `aws:region`
 * is refused rather than silently overridden; against an S3-compatible server, settings that
 * need AWS's STS, or that the mirror sets for the server itself, are refused.
 */
export function awsSettingsProblems(mirror: Pick<MirrorSpec, "region" | "endpoint">, settings: AwsStackSettings): string[] {
    const problems: string[] = [];
    if (settings.region !== undefined && settings.region !== mirror.region) {
        problems.push(`aws:region is ${String(settings.region)} but mirror.region is ${mirror.region}; expected aws:region unset or the mirror's region`);
    }
    if (mirror.endpoint !== undefined) {
        for (const key of [...STS_SETTINGS, ...ENDPOINT_SETTINGS].filter((k) => settings[k] !== undefined)) {
            problems.push(`aws:${key} is set, but mirror.endpoint is an S3-compatible server; expected aws:${key} unset (it applies to AWS only)`);
        }
    }
    return problems;
}

/**
 * The mirror's AWS provider: the stack's `aws:*` settings (profile, credentials, allowed
 * accounts, roles to assume, ...; an explicit provider reads none by itself, so each is passed
 * on) in the mirror's region. For an S3-compatible server, S3 calls go to its endpoint, path
 * style, and the checks that need AWS's own APIs (STS, EC2 metadata, region names) are skipped.
 * Call {@link awsSettingsProblems} first.
 */
export function mirrorProviderArgs(mirror: Pick<MirrorSpec, "region" | "endpoint">, settings: AwsStackSettings = {}): MirrorProviderArgs {
    if (mirror.endpoint === undefined) {
        return { ...settings, region: mirror.region };
    }
    return {
        ...settings,
        region: mirror.region,
        endpoints: [{ s3: mirror.endpoint }],
        s3UsePathStyle: true,
        skipCredentialsValidation: true,
        skipRequestingAccountId: true,
        skipMetadataApiCheck: true,
        skipRegionValidation: true,
    };
}
