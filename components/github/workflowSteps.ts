import { resolveAction } from "./actionRefs";
import { mirrorSteps } from "./mirrorSteps";
import { PUSH_GATE_ENV, PUSHES_CONDITION, workflowExpression } from "./pushGate";
import type { WorkflowModel } from "./workflow";

/** One step of the build job, in the key order the file shows. */
export interface WorkflowStep {
    readonly name: string;
    readonly id?: string;
    readonly if?: string;
    readonly uses?: string;
    readonly with?: Readonly<Record<string, string | boolean>>;
    readonly env?: Readonly<Record<string, string>>;
    readonly run?: string;
}

/** The environment variable the cachix CLI reads each credential from. */
const CLI_VARIABLE = { authToken: "CACHIX_AUTH_TOKEN", signingKey: "CACHIX_SIGNING_KEY" } as const;

/** The build step's id, so later steps can ask whether the build itself succeeded. */
const BUILD_STEP_ID = "build";

/** Output paths of the build, one a line, for the push and verify steps. */
const OUTPUTS_FILE = '"$RUNNER_TEMP/nix-cache-outputs"';

/**
 * The build job's steps. Values from the configuration reach scripts only through `env:`,
 * never spliced into `run:` text, so no value can become shell code or an expression.
 *
 * Ordering matters for verification: cachix-action pushes in its post step, which runs after
 * every step of the job (with its daemon, v13+, paths are queued as they are built but the queue
 * is only drained in that post step). A check inside the job would therefore race the push. So
 * the job pushes the build's outputs itself with `cachix push` (paths already in the cache are
 * skipped) and only then asks the cache over HTTP whether each output is there. cachix-action's
 * own push still uploads everything else the build produced, such as build-only dependencies.
 *
 * `target` is the flake attribute as the job sees it (the matrix expression), or undefined to
 * build the flake's default package.
 */
export function buildSteps(model: WorkflowModel, target: string | undefined): WorkflowStep[] {
    const { github } = model;
    const actions = github.workflow.actions;
    const secretValue = workflowExpression(`secrets.${github.secret.name}`);
    const extraPullNames = model.extraCaches.flatMap((c) => (c.cachixName === undefined ? [] : [c.cachixName]));
    const steps: WorkflowStep[] = [
        {
            name: "Check out",
            uses: resolveAction(actions.checkout, actions).uses,
            // Nothing later needs git credentials; do not leave the token on disk.
            with: { "persist-credentials": false },
        },
        {
            name: "Install Nix",
            uses: resolveAction(actions.installNix, actions).uses,
            ...(github.workflow.extraNixConfig === undefined ? {} : { with: { extra_nix_config: github.workflow.extraNixConfig } }),
        },
        {
            name: "Set up Cachix",
            uses: resolveAction(actions.cachix, actions).uses,
            with: {
                name: model.cache.name,
                [github.secret.credential]: secretValue,
                ...(extraPullNames.length === 0 ? {} : { extraPullNames: extraPullNames.join(",") }),
                skipPush: workflowExpression(`env.${PUSH_GATE_ENV} != 'true'`),
            },
        },
        buildStep(target),
    ];
    if (github.workflow.verify) {
        steps.push(pushStep(model, secretValue), verifyStep(model));
    }
    return [...steps, ...mirrorSteps(model, OUTPUTS_FILE, BUILD_STEP_ID)];
}

function buildStep(target: string | undefined): WorkflowStep {
    const installable = target === undefined ? "." : '".#$TARGET"';
    return {
        name: "Build",
        id: BUILD_STEP_ID,
        ...(target === undefined ? {} : { env: { TARGET: target } }),
        run: [`nix build -L --print-out-paths ${installable} > ${OUTPUTS_FILE}`, `cat ${OUTPUTS_FILE}`, ""].join("\n"),
    };
}

/** Pushes the outputs now, failing loudly when the secret is missing on a run that must push. */
function pushStep(model: WorkflowModel, secretValue: string): WorkflowStep {
    const variable = CLI_VARIABLE[model.github.secret.credential];
    return {
        name: "Push build outputs to Cachix",
        if: PUSHES_CONDITION,
        env: { CACHE_NAME: model.cache.name, [variable]: secretValue },
        run: [
            `if [ -z "\${${variable}:-}" ]; then`,
            `  echo "::error::The ${model.github.secret.name} secret is empty or not visible to this run; nothing can be pushed."`,
            "  exit 1",
            "fi",
            `cachix push "$CACHE_NAME" < ${OUTPUTS_FILE}`,
            "",
        ].join("\n"),
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
