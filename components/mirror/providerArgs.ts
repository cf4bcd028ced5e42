import { MirrorSpec } from "../config/model";

/** The settings of the mirror's own AWS provider (a subset of `aws.ProviderArgs`). */
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
}

/**
 * The mirror gets its own provider, so no ambient AWS config decides its region. For an
 * S3-compatible server, S3 calls go to its endpoint, path style, and the checks that need AWS's
 * own APIs (STS, EC2 metadata, region names) are skipped. Credentials still come from the usual
 * AWS environment variables or profile.
 */
export function mirrorProviderArgs(mirror: Pick<MirrorSpec, "region" | "endpoint">): MirrorProviderArgs {
    if (mirror.endpoint === undefined) {
        return { region: mirror.region };
    }
    return {
        region: mirror.region,
        endpoints: [{ s3: mirror.endpoint }],
        s3UsePathStyle: true,
        skipCredentialsValidation: true,
        skipRequestingAccountId: true,
        skipMetadataApiCheck: true,
        skipRegionValidation: true,
    };
}
