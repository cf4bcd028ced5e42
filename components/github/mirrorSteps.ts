import { MirrorSpec } from "../config/model";
import { mirrorCiAccess } from "../mirror/ciAccess";
import { MIRROR_SECRET_NAMES } from "../mirror/ciSecrets";
import { mirrorPushUrl } from "../mirror/urls";
import { resolveAction } from "./actionRefs";
import { workflowExpression } from "./pushGate";
import type { WorkflowModel, WorkflowStep } from "./workflowModel";

/**
 * When the build job copies its outputs to the S3 mirror: pushes to the branch and nightly
 * runs, the runs whose OIDC subject (`ref:refs/heads/BRANCH`) the role trusts. Pull requests
 * and manual runs never write to the mirror.
 */
export const MIRROR_PUSH_CONDITION = "github.event_name == 'push' || github.event_name == 'schedule'";

/** Whether the job needs `id-token: write`: only to assume the mirror's role through OIDC. */
export function needsIdToken(model: WorkflowModel): boolean {
    return model.mirror !== undefined && mirrorCiAccess(model.mirror, model.github).kind === "oidc";
}

/**
 * The steps that sign the build's outputs with the mirror key and copy them to the bucket:
 * AWS credentials first (a short-lived role session through OIDC, or the opt-in access key),
 * then `nix copy` to the S3 store. The signing key is written to a private temporary file for
 * the copy and removed afterwards; it never appears in the script text.
 */
export function mirrorSteps(model: WorkflowModel, outputsFile: string): WorkflowStep[] {
    const mirror = model.mirror;
    if (mirror === undefined) {
        return [];
    }
    const secret = (name: string) => workflowExpression(`secrets.${name}`);
    const credentials: Record<string, string> =
        mirrorCiAccess(mirror, model.github).kind === "oidc"
            ? { "role-to-assume": secret(MIRROR_SECRET_NAMES.roleArn) }
            : {
                  "aws-access-key-id": secret(MIRROR_SECRET_NAMES.accessKeyId),
                  "aws-secret-access-key": secret(MIRROR_SECRET_NAMES.secretAccessKey),
              };
    const actions = model.github.workflow.actions;
    return [
        {
            name: "Configure AWS credentials for the mirror",
            if: MIRROR_PUSH_CONDITION,
            uses: resolveAction(actions.awsCredentials, actions).uses,
            with: { "aws-region": mirror.region, ...credentials },
        },
        copyStep(mirror, outputsFile),
    ];
}

function copyStep(mirror: MirrorSpec, outputsFile: string): WorkflowStep {
    return {
        name: "Copy build outputs to the mirror",
        if: MIRROR_PUSH_CONDITION,
        env: { MIRROR_STORE: mirrorPushUrl(mirror), MIRROR_SIGNING_KEY: workflowExpression(`secrets.${MIRROR_SECRET_NAMES.signingKey}`) },
        run: [
            'key_file="$RUNNER_TEMP/nix-mirror-signing-key"',
            'trap \'rm -f "$key_file"\' EXIT',
            '(umask 077 && printf \'%s\' "$MIRROR_SIGNING_KEY" > "$key_file")',
            `xargs nix copy --to "$MIRROR_STORE&secret-key=$key_file" < ${outputsFile}`,
            "",
        ].join("\n"),
    };
}
