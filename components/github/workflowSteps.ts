import { actionRepository } from "../config/githubSection";
import { resolveAction } from "./actionRefs";
import { nixConfigInput } from "../formats/installerInputs";
import { PUSH_GATE_ENV, PUSHES_CONDITION, workflowExpression } from "./pushGate";
import { cachixSecrets } from "./secretPlacements";
import type { WorkflowModel, WorkflowStep } from "./workflowTypes";

export type { WorkflowStep };

/** The environment variable the cachix CLI reads each credential from. */
const CLI_VARIABLE = { authToken: "CACHIX_AUTH_TOKEN", signingKey: "CACHIX_SIGNING_KEY" } as const;

/** The build step's id, so later steps can ask whether the build itself succeeded. */
export const BUILD_STEP_ID = "build";

/** The explicit push step's id, so the summary can say whether it pushed. */
export const PUSH_STEP_ID = "push";

/** Output paths of the build, one a line, for the push and verify steps. */
export const OUTPUTS_FILE = '"$RUNNER_TEMP/nix-cache-outputs"';

/**
 * Checkout, the Nix installer and cachix-action. Values from the configuration reach scripts
 * only through `env:` and inputs, never spliced into `run:` text, so no value can become shell
 * code or an expression.
 *
 * `credentials: false` sets cachix-action up to pull only (a job that cannot see the secrets,
 * such as the build job of environment-scoped secrets): no credential, never a push.
 */
export function setupSteps(model: WorkflowModel, credentials: boolean): WorkflowStep[] {
    const { github } = model;
    const actions = github.workflow.actions;
    const extraPullNames = model.extraCaches.flatMap((c) => (c.cachixName === undefined ? [] : [c.cachixName]));
    const options = github.workflow.cachixOptions;
    const nixConfig = github.workflow.extraNixConfig;
    // The config refuses extra lines for an installer whose input is not known.
    const nixConfigName = nixConfigInput(actionRepository(actions.installNix)) ?? "extra_nix_config";
    return [
        {
            name: "Check out",
            uses: resolveAction(actions.checkout, actions).uses,
            // Nothing later needs git credentials; do not leave the token on disk.
            with: { "persist-credentials": false },
        },
        {
            name: "Install Nix",
            uses: resolveAction(actions.installNix, actions).uses,
            ...(nixConfig === undefined ? {} : { with: { [nixConfigName]: nixConfig } }),
        },
        {
            name: "Set up Cachix",
            uses: resolveAction(actions.cachix, actions).uses,
            with: {
                name: model.cache.name,
                ...(credentials ? Object.fromEntries(cachixSecrets(github).map((s) => [s.holds, workflowExpression(`secrets.${s.name}`)])) : {}),
                ...(extraPullNames.length === 0 ? {} : { extraPullNames: extraPullNames.join(",") }),
                ...(options.pushFilter === undefined ? {} : { pushFilter: options.pushFilter }),
                ...(options.useDaemon === undefined ? {} : { useDaemon: options.useDaemon }),
                ...(options.cachixArgs === undefined ? {} : { cachixArgs: options.cachixArgs }),
                skipPush: credentials ? workflowExpression(`env.${PUSH_GATE_ENV} != 'true'`) : true,
            },
        },
    ];
}

/** Builds one flake attribute (`target` is its expression, e.g. the matrix's), or the default package. */
export function buildStep(target: string | undefined): WorkflowStep {
    const installable = target === undefined ? "." : '".#$TARGET"';
    return {
        name: "Build",
        id: BUILD_STEP_ID,
        ...(target === undefined ? {} : { env: { TARGET: target } }),
        run: [`nix build -L --print-out-paths ${installable} > ${OUTPUTS_FILE}`, `cat ${OUTPUTS_FILE}`, ""].join("\n"),
    };
}

/** `nix flake check`: evaluates every output and builds the checks of the runner's system. */
export function flakeCheckStep(): WorkflowStep {
    return { name: "Check the flake", run: "nix flake check -L\n" };
}

/**
 * The explicit push and the verification, when `verify` is on.
 *
 * cachix-action pushes in its post step, which runs after every step of the job (with its
 * daemon, v13+, paths are queued as they are built but the queue is only drained in that post
 * step). A check inside the job would therefore race the push. So the job pushes the build's
 * outputs itself with `cachix push` (paths already in the cache are skipped) and only then asks
 * the cache over HTTP whether each output is there. cachix-action's own push still uploads
 * everything else the build produced, such as build-only dependencies.
 */
export function pushSteps(model: WorkflowModel): WorkflowStep[] {
    return model.github.workflow.verify ? [pushStep(model), verifyStep(model)] : [];
}

/**
 * Pushes the outputs now, failing loudly when a secret is missing on a run that must push.
 * The cachix CLI pushes with the auth token and, for a self-signed cache, signs with the key.
 */
function pushStep(model: WorkflowModel): WorkflowStep {
    const secrets = cachixSecrets(model.github);
    const checks = secrets.flatMap((s) => [
        `if [ -z "\${${CLI_VARIABLE[s.holds]}:-}" ]; then`,
        `  echo "::error::The ${s.name} secret is empty or not visible to this run; nothing can be pushed."`,
        "  exit 1",
        "fi",
    ]);
    return {
        name: "Push build outputs to Cachix",
        id: PUSH_STEP_ID,
        if: PUSHES_CONDITION,
        env: { CACHE_NAME: model.cache.name, ...Object.fromEntries(secrets.map((s) => [CLI_VARIABLE[s.holds], workflowExpression(`secrets.${s.name}`)])) },
        run: [...checks, `cachix push "$CACHE_NAME" < ${OUTPUTS_FILE}`, ""].join("\n"),
    };
}

/** Asks the cache itself, as users' Nix does, whether every output is there. */
function verifyStep(model: WorkflowModel): WorkflowStep {
    return {
        name: "Verify build outputs are in the cache",
        if: PUSHES_CONDITION,
        env: { CACHE_URL: model.cache.url },
        run: [
            `if [ ! -s ${OUTPUTS_FILE} ]; then`,
            '  echo "::error::The build printed no output paths."',
            "  exit 1",
            "fi",
            "missing=0",
            "while read -r out; do",
            '  if nix path-info --store "$CACHE_URL" "$out" > /dev/null; then',
            '    echo "in cache: $out"',
            "  else",
            '    echo "::error::$out is not in $CACHE_URL after pushing."',
            "    missing=1",
            "  fi",
            `done < ${OUTPUTS_FILE}`,
            'exit "$missing"',
            "",
        ].join("\n"),
    };
}

/**
 * The job summary (`$GITHUB_STEP_SUMMARY`): each output of the build, whether this run pushed
 * it, and whether the cache then has it, with its size, so every run shows coverage. It runs
 * whenever the build succeeded, also after a failed push or verification, which is when it is
 * read. With `verify` off the outputs are pushed by cachix-action after the job, so the cache is
 * asked before that push.
 */
export function summaryStep(model: WorkflowModel, label: string): WorkflowStep {
    const pushed = model.github.workflow.verify
        ? { PUSHED: workflowExpression(`steps.${PUSH_STEP_ID}.outcome`) }
        : { PUSHED: workflowExpression(`env.${PUSH_GATE_ENV} == 'true' && 'after the job (cachix-action)' || 'skipped'`) };
    return {
        name: "Summarize cache coverage",
        if: `!cancelled() && steps.${BUILD_STEP_ID}.outcome == 'success'`,
        env: { CACHE_URL: model.cache.url, JOB_LABEL: label, ...pushed },
        run: [
            "{",
            '  echo "### $JOB_LABEL"',
            '  echo ""',
            '  echo "| Output | Pushed | In $CACHE_URL | Size (bytes) |"',
            '  echo "| --- | --- | --- | --- |"',
            "  cached=0",
            "  total=0",
            "  while read -r out; do",
            '    [ -n "$out" ] || continue',
            "    total=$((total + 1))",
            '    if size=$(nix path-info --size --store "$CACHE_URL" "$out" 2> /dev/null | awk \'{ print $2 }\'); then',
            "      cached=$((cached + 1))",
            '      echo "| \\`$out\\` | ${PUSHED:-skipped} | yes | $size |"',
            "    else",
            '      echo "| \\`$out\\` | ${PUSHED:-skipped} | **no** | - |"',
            "    fi",
            `  done < ${OUTPUTS_FILE}`,
            '  echo ""',
            '  echo "$cached of $total outputs in the cache."',
            '} >> "$GITHUB_STEP_SUMMARY"',
            "",
        ].join("\n"),
    };
}
