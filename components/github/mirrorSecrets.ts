import { GithubSpec, MirrorSpec } from "../config/model";
import { placementsOf, SecretPlacement } from "./secretPlacements";
import { mirrorCiAccess } from "../mirror/ciAccess";

/** The GitHub Actions secret names the mirror's CI push reads. */
export const MIRROR_SECRET_NAMES = {
    /** The mirror's secret signing key (`NAME:base64`): `nix copy` signs with it. */
    signingKey: "NIX_MIRROR_SIGNING_KEY",
    /** The ARN of the role to assume with OIDC (`role-to-assume`). */
    roleArn: "NIX_MIRROR_AWS_ROLE_ARN",
    /** `accessKeys` only: the writer's access key id. */
    accessKeyId: "NIX_MIRROR_AWS_ACCESS_KEY_ID",
    /** `accessKeys` only: the writer's secret access key. */
    secretAccessKey: "NIX_MIRROR_AWS_SECRET_ACCESS_KEY",
} as const;

/** Which value a mirror secret holds. */
export type MirrorSecretValue = keyof typeof MIRROR_SECRET_NAMES;

/** One Actions secret of the mirror's CI push. */
export interface MirrorCiSecret {
    /** The secret's name in GitHub. */
    readonly name: string;
    /** What it holds. */
    readonly holds: MirrorSecretValue;
    /** Set by the stack; `false` means the user sets it by hand (credentials of a non-AWS server). */
    readonly managed: boolean;
}

/**
 * The secrets CI needs to push to the mirror, in the order a workflow reads them: the signing
 * key, then the AWS credential (the role's ARN, or an access key). None without a `github`
 * section.
 */
export function mirrorCiSecretList(mirror: MirrorSpec, github: GithubSpec | undefined): MirrorCiSecret[] {
    if (github === undefined) {
        return [];
    }
    const secret = (holds: MirrorSecretValue, managed = true): MirrorCiSecret => ({ name: MIRROR_SECRET_NAMES[holds], holds, managed });
    const access = mirrorCiAccess(mirror, github);
    switch (access.kind) {
        case "oidc":
            return [secret("signingKey"), secret("roleArn")];
        case "accessKeys":
            return [secret("signingKey"), secret("accessKeyId"), secret("secretAccessKey")];
        case "none":
            return [secret("signingKey"), secret("accessKeyId", false), secret("secretAccessKey", false)];
    }
}

/**
 * Where one mirror secret lives: the same places as the Cachix credential (per repository,
 * organisation or environment), so the same build job sees both.
 */
export function mirrorSecretPlacements(github: GithubSpec, secret: MirrorCiSecret): SecretPlacement[] {
    return placementsOf(github, secret.name);
}
