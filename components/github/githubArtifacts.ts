import { StackModel } from "../config/model";
import { mirrorPushUrl, mirrorSubstituterUrl } from "../formats/s3Urls";
import { mirrorCiAccess } from "../mirror/ciAccess";
import { MIRROR_ARTIFACT_PATHS } from "../mirror/mirrorArtifacts";
import { mirrorCiSecretList, mirrorSecretPlacements } from "./mirrorSecrets";
import { Artifact, SecretText } from "../render/artifact";
import { cachixSecrets, secretPlacements } from "./secretPlacements";
import { renderWorkflow } from "./workflow";

/** Where `render` writes the listing of the Actions secrets the stack sets. */
export const SECRETS_LISTING_PATH = "github/secrets.json";

/**
 * The GitHub side of a stack as files: each repository's workflow, byte-for-byte what
 * `pulumi up` commits, and a listing of the Actions secrets it sets (names and places, never
 * values). Nothing when the stack has no `github` section.
 */
export function githubArtifacts(model: StackModel, _secret: SecretText): Artifact[] {
    const github = model.github;
    if (github === undefined) {
        return [];
    }
    const workflows: Artifact[] = github.repositories.map((repo) => ({
        kind: "workflow",
        target: `github:${github.owner}/${repo.name}:${github.workflow.path}`,
        path: `github/${github.owner}/${repo.name}/${github.workflow.path}`,
        content: renderWorkflow({ ...model, github }, repo),
    }));
    const listing = {
        owner: github.owner,
        credential: github.secret.credential,
        // Per secret name, the config key whose value `pulumi up` stores in it.
        valueFrom: Object.fromEntries(cachixSecrets(github).map((s) => [s.name, s.holds === "authToken" ? "cachixAuthToken" : "cachixSigningKey"])),
        secrets: secretPlacements(github),
    };
    const secrets: Artifact = {
        kind: "github-secret",
        target: `github:${github.owner}:actions-secrets`,
        path: SECRETS_LISTING_PATH,
        content: `${JSON.stringify(listing, null, 2)}\n`,
    };
    return [...workflows, secrets];
}

/**
 * The Actions secrets the mirror's CI push reads, as a listing (names, places and who sets
 * them, never values). Nothing without both a mirror and a `github` section.
 */
export function mirrorSecretArtifacts(model: StackModel): Artifact[] {
    const { mirror, github } = model;
    if (mirror === undefined || github === undefined) {
        return [];
    }
    const access = mirrorCiAccess(mirror, github);
    const listing = {
        owner: github.owner,
        substituterUrl: mirrorSubstituterUrl(mirror),
        pushUrl: mirrorPushUrl(mirror),
        ciAccess: access.kind === "none" ? { kind: access.kind, reason: access.reason } : { kind: access.kind, principal: access.principalName },
        secrets: mirrorCiSecretList(mirror, github).map((secret) => ({
            name: secret.name,
            holds: secret.holds,
            setBy: secret.managed ? "stack" : "user",
            placements: mirrorSecretPlacements(github, secret),
        })),
    };
    return [
        {
            kind: "github-secret",
            target: `github:${github.owner}:actions-secrets:mirror`,
            path: MIRROR_ARTIFACT_PATHS.githubSecrets,
            content: `${JSON.stringify(listing, null, 2)}\n`,
        },
    ];
}
