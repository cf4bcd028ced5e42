import { MirrorSpec } from "../config/model";
import { mirrorCiAccess } from "../mirror/ciAccess";
import { MIRROR_SECRET_NAMES } from "./mirrorSecrets";
import { isRotating } from "../mirror/keyRotation";
import { resignScript } from "../mirror/resignScript";
import { shQuote } from "../formats/shell";
import { NOT_UPSTREAM_JQ } from "../mirror/upstreamPaths";
import { mirrorPushUrl } from "../formats/s3Urls";
import { resolveAction } from "./actionRefs";
import { workflowExpression } from "./pushGate";
import type { WorkflowModel, WorkflowStep } from "./workflowTypes";

/**
 * The runs that copy to the S3 mirror: pushes to the branch and nightly runs, the runs whose
 * OIDC subject (`ref:refs/heads/BRANCH`) the role trusts. Pull requests and manual runs
 * (`workflow_dispatch`, which may run on any branch) never write to the mirror.
 */
export const MIRROR_PUSH_EVENTS = "github.event_name == 'push' || github.event_name == 'schedule'";

/**
 * The `if:` of the mirror steps. `!cancelled()` replaces the implicit `success()`: the mirror
 * is filled even when the Cachix push or verification failed, which is when a second cache is
 * needed most. It still needs the build itself to have succeeded, or there is nothing to copy.
 */
export function mirrorPushCondition(buildStepId: string): string {
    return `!cancelled() && steps.${buildStepId}.outcome == 'success' && (${MIRROR_PUSH_EVENTS})`;
}

/** Whether the job needs `id-token: write`: only to assume the mirror's role through OIDC. */
export function needsIdToken(model: WorkflowModel): boolean {
    return model.mirror !== undefined && mirrorCiAccess(model.mirror, model.github).kind === "oidc";
}

/**
 * The steps that sign the build's outputs with the mirror key and copy them to the bucket.
 * On AWS, credentials come first from configure-aws-credentials (a short-lived role session
 * through OIDC, or the opt-in access key). An S3-compatible server's static key is handed to
 * `nix copy` as the plain `AWS_*` variables instead: that action checks every key against AWS
 * STS, which refuses a MinIO or R2 key. The signing key is written to a private temporary file
 * for the copy and removed afterwards; it never appears in the script text.
 */
export function mirrorSteps(model: WorkflowModel, outputsFile: string, buildStepId: string): WorkflowStep[] {
    const mirror = model.mirror;
    if (mirror === undefined) {
        return [];
    }
    const secret = (name: string) => workflowExpression(`secrets.${name}`);
    const condition = mirrorPushCondition(buildStepId);
    const access = mirrorCiAccess(mirror, model.github).kind;
    if (mirror.endpoint !== undefined) {
        const staticKey = { AWS_ACCESS_KEY_ID: secret(MIRROR_SECRET_NAMES.accessKeyId), AWS_SECRET_ACCESS_KEY: secret(MIRROR_SECRET_NAMES.secretAccessKey) };
        return [copyStep(mirror, outputsFile, condition, staticKey), ...resignSteps(mirror, condition, staticKey)];
    }
    const credentials: Record<string, string> =
        access === "oidc"
            ? { "role-to-assume": secret(MIRROR_SECRET_NAMES.roleArn) }
            : {
                  "aws-access-key-id": secret(MIRROR_SECRET_NAMES.accessKeyId),
                  "aws-secret-access-key": secret(MIRROR_SECRET_NAMES.secretAccessKey),
              };
    const actions = model.github.workflow.actions;
    return [
        {
            name: "Configure AWS credentials for the mirror",
            if: condition,
            uses: resolveAction(actions.awsCredentials, actions).uses,
            with: { "aws-region": mirror.region, ...credentials },
        },
        copyStep(mirror, outputsFile, condition, {}),
        ...resignSteps(mirror, condition, {}),
    ];
}

/**
 * During a key rotation only: after the copy, every path in the bucket is signed with the
 * current key (see `resignScript`), so the old key can then be dropped.
 */
function resignSteps(mirror: MirrorSpec, condition: string, staticKey: Record<string, string>): WorkflowStep[] {
    if (!isRotating(mirror)) {
        return [];
    }
    return [
        {
            name: "Re-sign the mirror with the current key",
            if: condition,
            env: {
                MIRROR_STORE: mirrorPushUrl(mirror),
                MIRROR_BUCKET: mirror.bucket,
                ...(mirror.endpoint === undefined ? {} : { MIRROR_ENDPOINT: mirror.endpoint }),
                AWS_DEFAULT_REGION: mirror.region,
                MIRROR_SIGNING_KEY: workflowExpression(`secrets.${MIRROR_SECRET_NAMES.signingKey}`),
                ...staticKey,
            },
            run: resignScript(),
        },
    ];
}

/** The copy; a failure is reported as an error annotation and fails the job. */
function copyStep(mirror: MirrorSpec, outputsFile: string, condition: string, staticKey: Record<string, string>): WorkflowStep {
    const required: [string, string][] = [
        ["MIRROR_SIGNING_KEY", MIRROR_SECRET_NAMES.signingKey],
        ...(Object.keys(staticKey).length === 0
            ? []
            : ([["AWS_ACCESS_KEY_ID", MIRROR_SECRET_NAMES.accessKeyId], ["AWS_SECRET_ACCESS_KEY", MIRROR_SECRET_NAMES.secretAccessKey]] as [string, string][])),
    ];
    return {
        name: "Copy build outputs to the mirror",
        if: condition,
        env: { MIRROR_STORE: mirrorPushUrl(mirror), MIRROR_SIGNING_KEY: workflowExpression(`secrets.${MIRROR_SECRET_NAMES.signingKey}`), ...staticKey },
        run: [
            ...required.flatMap(([variable, secretName]) => [
                `if [ -z "\${${variable}:-}" ]; then`,
                `  echo "::error::The ${secretName} secret is empty or not visible to this run; nothing can be copied to the mirror."`,
                "  exit 1",
                "fi",
            ]),
            'key_file="$RUNNER_TEMP/nix-mirror-signing-key"',
            'trap \'rm -f "$key_file"\' EXIT',
            '(umask 077 && printf \'%s\' "$MIRROR_SIGNING_KEY" > "$key_file")',
            'trap \'echo "::error title=S3 mirror push failed::listing the paths to copy failed; the mirror lacks the outputs of this run."\' ERR',
            ...(mirror.skipUpstreamPaths
                ? [
                      // The outputs' closure minus what cache.nixos.org serves; each path copied alone.
                      'paths="$RUNNER_TEMP/nix-mirror-paths"',
                      `xargs nix path-info --recursive --json < ${outputsFile} | jq -r ${shQuote(NOT_UPSTREAM_JQ)} > "$paths"`,
                      'echo "copying $(wc -l < "$paths") paths that cache.nixos.org does not serve"',
                      'if [ -s "$paths" ] && ! xargs nix copy --no-recursive --to "$MIRROR_STORE&secret-key=$key_file" < "$paths"; then',
                  ]
                : [`if ! xargs nix copy --to "$MIRROR_STORE&secret-key=$key_file" < ${outputsFile}; then`]),
            '  echo "::error title=S3 mirror push failed::nix copy to the mirror failed; it lacks this run\'s outputs."',
            "  exit 1",
            "fi",
            "",
        ].join("\n"),
    };
}

