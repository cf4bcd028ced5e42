/**
 * When the workflow pushes to the cache.
 *
 * Pushes, nightly runs and manual runs always push: they are how the cache gets filled, so a
 * missing secret there must fail the job rather than skip quietly. Pull requests push only when
 * GitHub gives them the repository's Actions secrets: a branch of the repository itself, opened
 * by anyone but Dependabot. Pull requests from forks (and Dependabot's, which get Dependabot
 * secrets instead) build and pull from the cache but never try to push.
 *
 * Comparing the head repository alone is not enough: `head.repo.full_name != github.repository`
 * is also true on push events, where `github.event.pull_request` does not exist, so the
 * event name is checked first. A fork whose repository was deleted has a null `head.repo`, which
 * compares unequal and so does not push.
 */
export const PUSH_GATE_EXPRESSION =
    "github.event_name != 'pull_request' || " +
    "(github.event.pull_request.head.repo.full_name == github.repository && github.actor != 'dependabot[bot]')";

/**
 * The job-level environment variable holding the gate's result (`'true'` or `'false'`).
 * Steps read it in their `if:` and cachix-action's `skipPush`, so the decision is written once.
 */
export const PUSH_GATE_ENV = "PUSH_TO_CACHE";

/** The `if:` condition of a step that runs only when the job pushes. */
export const PUSHES_CONDITION = `env.${PUSH_GATE_ENV} == 'true'`;

/** Wraps an expression for a workflow value. */
export function workflowExpression(text: string): string {
    return `\${{ ${text} }}`;
}
