import { GithubRepositorySpec, GithubSecretSpec, GithubSpec, WorkflowActionsSpec, WorkflowSpec } from "./model";
import { describeValue, Problems } from "./problems";
import { ObjectReader, readObject, reportDuplicates, StringRule } from "./reader";

/** Defaults that follow the user's guide. */
export const WORKFLOW_DEFAULTS = {
    path: ".github/workflows/build.yml",
    name: "Build",
    schedule: "51 2 * * *",
    runsOn: "ubuntu-latest",
    commitMessage: "ci: update Nix cache workflow (managed by nix-cache)",
    actions: {
        checkout: "actions/checkout@v7",
        installNix: "cachix/install-nix-action@v31",
        cachix: "cachix/cachix-action@v17",
        awsCredentials: "aws-actions/configure-aws-credentials@v6",
    },
} as const;

/** Secret names cachix-action's documentation uses for each credential. */
export const DEFAULT_SECRET_NAMES = {
    authToken: "CACHIX_AUTH_TOKEN",
    signingKey: "CACHIX_SIGNING_KEY",
} as const;

const rule = (pattern: RegExp, expected: string): StringRule => (value) => (pattern.test(value) ? undefined : expected);

const ownerRule = rule(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, "a GitHub user or organisation login (letters, digits, hyphens)");
const repositoryRule = rule(/^(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/, "a repository name without owner (letters, digits, '.', '_', '-')");
const branchRule = rule(/^(?![-/.])(?!.*\.\.)[A-Za-z0-9._/-]+(?<![/.])$/, "a branch name such as main");
const targetRule = rule(/^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/, "a flake attribute such as microcosm-all (letters, digits, '_', '.', '+', '-')");
const secretNameRule = rule(
    /^(?!GITHUB_)[A-Za-z_][A-Za-z0-9_]*$/i,
    "a secret name of letters, digits and underscores, not starting with a digit or GITHUB_",
);
const environmentRule = rule(/^[^\s/][^/]{0,254}$/, "a GitHub environment name");
const workflowPathRule = rule(/^\.github\/workflows\/[A-Za-z0-9._-]+\.ya?ml$/, "a path like .github/workflows/build.yml");
const cronRule = rule(/^\S+(\s+\S+){4}$/, 'a five-field cron expression such as "51 2 * * *"');
const actionRule = rule(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[^@\s]+)?@[^\s@]+$/, "an action reference OWNER/REPO@REF");
const shaRule = rule(/^[0-9a-f]{40}$/, "a full 40-character lowercase commit SHA");
const labelRule = rule(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "a runner label such as ubuntu-latest");
// Text copied into the workflow must not open a `${{ }}` expression GitHub would evaluate.
const workflowNameRule = rule(/^(?!.*\$\{\{)\S.{0,99}$/, "a short display name without ${{");
const nixConfigRule: StringRule = (value) => {
    const lines = value.split("\n").filter((line) => line.trim() !== "" && !line.trim().startsWith("#"));
    const ok = !value.includes("${{") && lines.length > 0 && lines.every((line) => /^\s*[A-Za-z][\w-]*\s*=/.test(line));
    return ok ? undefined : 'nix.conf lines "name = value" (without ${{)';
};

/** Reads `nix-cache:github`. */
export function readGithubSection(problems: Problems, path: string, value: unknown): GithubSpec | undefined {
    const section = readObject(problems, path, value, ["owner", "repositories", "secret", "workflow"]);
    if (!section) {
        return undefined;
    }
    const owner = section.requiredString("owner", { rule: ownerRule });
    if (!section.has("repositories")) {
        problems.add(section.pathOf("repositories"), "is required; expected a list of repositories");
    }
    const repositories = section.list("repositories", { minItems: 1 }, (p, item) => readRepository(problems, p, item)) ?? [];
    reportDuplicates(problems, section.pathOf("repositories"), repositories, (r) => r.name.toLowerCase(), "repository");
    const secret = readSecret(problems, section.pathOf("secret"), section.raw("secret") ?? {});
    const workflow = readWorkflow(problems, section.pathOf("workflow"), section.raw("workflow") ?? {});
    if (owner === undefined || secret === undefined || workflow === undefined) {
        return undefined;
    }
    return { owner, repositories, secret, workflow };
}

function readRepository(problems: Problems, path: string, value: unknown): GithubRepositorySpec | undefined {
    // A bare string is shorthand for { name }.
    const item = readObject(problems, path, typeof value === "string" ? { name: value } : value, ["name", "branch", "targets"]);
    if (!item) {
        return undefined;
    }
    const name = item.requiredString("name", { rule: repositoryRule });
    const branch = item.optionalString("branch", { rule: branchRule }) ?? "main";
    const targets = item.stringList("targets", { rule: targetRule }) ?? [];
    reportDuplicates(problems, item.pathOf("targets"), targets, (t) => t, "target");
    return name === undefined ? undefined : { name, branch, targets };
}

function readSecret(problems: Problems, path: string, value: unknown): GithubSecretSpec | undefined {
    const item = readObject(problems, path, value, [
        "scope", "visibility", "environment", "createEnvironment", "credential", "name", "authTokenName", "access",
    ]);
    if (!item) {
        return undefined;
    }
    const scope = item.optionalEnum("scope", ["repository", "organization", "environment"] as const) ?? "repository";
    const visibility = item.optionalEnum("visibility", ["all", "private", "selected"] as const);
    const environment = item.optionalString("environment", { rule: environmentRule });
    const createEnvironment = item.optionalBoolean("createEnvironment");
    const credential = item.optionalEnum("credential", ["authToken", "signingKey"] as const) ?? "authToken";
    const name = item.optionalString("name", { rule: secretNameRule }) ?? DEFAULT_SECRET_NAMES[credential];
    const authTokenName = item.optionalString("authTokenName", { rule: secretNameRule });
    const access = item.optionalEnum("access", ["exact", "additive"] as const);
    if (authTokenName !== undefined && credential !== "signingKey") {
        problems.add(item.pathOf("authTokenName"), `only applies when credential is signingKey; credential is ${describeValue(credential)}`);
    }
    const tokenName = credential === "signingKey" ? (authTokenName ?? DEFAULT_SECRET_NAMES.authToken) : name;
    if (credential === "signingKey" && tokenName.toUpperCase() === name.toUpperCase()) {
        problems.add(item.pathOf(authTokenName === undefined ? "name" : "authTokenName"), `the signing key and the auth token need two secrets; both are named ${describeValue(name)}`);
    }
    if (access !== undefined && (scope !== "organization" || (visibility ?? "selected") !== "selected")) {
        problems.add(item.pathOf("access"), "only applies to an organization secret with visibility selected");
    }
    if (visibility !== undefined && scope !== "organization") {
        problems.add(item.pathOf("visibility"), `only applies when scope is organization; scope is ${describeValue(scope)}`);
    }
    if (scope === "environment" && !item.has("environment")) {
        problems.add(item.pathOf("environment"), "is required when scope is environment; expected an environment name");
    }
    if (environment !== undefined && scope !== "environment") {
        problems.add(item.pathOf("environment"), `only applies when scope is environment; scope is ${describeValue(scope)}`);
    }
    if (createEnvironment !== undefined && scope !== "environment") {
        problems.add(item.pathOf("createEnvironment"), `only applies when scope is environment; scope is ${describeValue(scope)}`);
    }
    return { scope, visibility: visibility ?? "selected", environment, createEnvironment, credential, name, authTokenName: tokenName, access: access ?? "exact" };
}

function readWorkflow(problems: Problems, path: string, value: unknown): WorkflowSpec | undefined {
    const item = readObject(problems, path, value, [
        "path", "name", "schedule", "pullRequests", "workflowDispatch", "runsOn", "verify",
        "concurrency", "extraNixConfig", "actions", "commitMessage", "commitAuthor", "commitEmail",
    ]);
    if (!item) {
        return undefined;
    }
    const actions = readActions(problems, item.pathOf("actions"), item.raw("actions") ?? {});
    const commitAuthor = item.optionalString("commitAuthor");
    const commitEmail = item.optionalString("commitEmail", { rule: rule(/^[^\s@]+@[^\s@]+$/, "an email address") });
    if ((commitAuthor === undefined) !== (commitEmail === undefined)) {
        problems.add(item.path, "commitAuthor and commitEmail go together; set both or neither");
    }
    return actions === undefined
        ? undefined
        : {
              path: item.optionalString("path", { rule: workflowPathRule }) ?? WORKFLOW_DEFAULTS.path,
              name: item.optionalString("name", { rule: workflowNameRule }) ?? WORKFLOW_DEFAULTS.name,
              schedule: readSchedule(item),
              pullRequests: item.optionalBoolean("pullRequests") ?? true,
              workflowDispatch: item.optionalBoolean("workflowDispatch") ?? true,
              runsOn: item.optionalString("runsOn", { rule: labelRule }) ?? WORKFLOW_DEFAULTS.runsOn,
              verify: item.optionalBoolean("verify") ?? true,
              concurrency: item.optionalBoolean("concurrency") ?? true,
              extraNixConfig: item.optionalString("extraNixConfig", { rule: nixConfigRule }),
              actions,
              commitMessage: item.optionalString("commitMessage", { rule: rule(/^\S/, "a non-empty commit message") }) ??
                  WORKFLOW_DEFAULTS.commitMessage,
              commitAuthor,
              commitEmail,
          };
}

/** `schedule: false` turns the nightly rebuild off; a string replaces the cron. */
function readSchedule(item: ObjectReader): string | undefined {
    if (item.raw("schedule") === false || item.raw("schedule") === "false") {
        return undefined;
    }
    return item.optionalString("schedule", { rule: cronRule }) ?? WORKFLOW_DEFAULTS.schedule;
}

function readActions(problems: Problems, path: string, value: unknown): WorkflowActionsSpec | undefined {
    const item = readObject(problems, path, value, ["checkout", "installNix", "cachix", "awsCredentials", "pin", "pins"]);
    if (!item) {
        return undefined;
    }
    const refs = {
        checkout: item.optionalString("checkout", { rule: actionRule }) ?? WORKFLOW_DEFAULTS.actions.checkout,
        installNix: item.optionalString("installNix", { rule: actionRule }) ?? WORKFLOW_DEFAULTS.actions.installNix,
        cachix: item.optionalString("cachix", { rule: actionRule }) ?? WORKFLOW_DEFAULTS.actions.cachix,
        awsCredentials: item.optionalString("awsCredentials", { rule: actionRule }) ?? WORKFLOW_DEFAULTS.actions.awsCredentials,
    };
    const used = Object.values(refs).map(actionRepository);
    const pins: Record<string, string> = {};
    const pinsReader = item.has("pins") ? readObject(problems, item.pathOf("pins"), item.raw("pins"), used) : undefined;
    for (const name of used) {
        const sha = pinsReader?.optionalString(name, { rule: shaRule });
        if (sha !== undefined) {
            pins[name] = sha;
        }
    }
    return { ...refs, pin: item.optionalEnum("pin", ["commit", "tag"] as const) ?? "commit", pins };
}

/** `owner/repo` of an action reference `owner/repo[/path]@ref`. */
export function actionRepository(reference: string): string {
    return reference.split("@")[0].split("/").slice(0, 2).join("/");
}
