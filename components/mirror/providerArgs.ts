import { MirrorSpec } from "../config/model";

/** The settings of the mirror's own AWS provider (a subset of `aws.ProviderArgs`). */
export interface MirrorProviderArgs {
    readonly region: string;
    readonly endpoints?: { readonly s3: string }[];
    readonly s3UsePathStyle?: boolean;
    readonly skipCredentialsValidation?: boolean;
    readonly skipRequestingAccountId?: boolean;
    readonly skipMetadataApiCheck?: boolean;
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
