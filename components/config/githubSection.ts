import { z } from "zod";
import { cronRule } from "../formats/cron";
import { across, flag, list, noDuplicates, oneOf, reportUnknownKeys, section, text } from "./fields";
import * as names from "../formats/names";
import { REPOSITORY_JOB_FIELDS, repositoryJobChecks, WORKFLOW_JOB_FIELDS, workflowJobChecks } from "./githubWorkflowFields";
import { describeValue } from "./redact";

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

/** A repository whose CI builds and pushes to the cache; a bare string is shorthand for `{name}`. */
const repository = z.preprocess(
    (value) => (typeof value === "string" ? { name: value } : value),
    section({
        name: text([names.githubRepository], { required: "a string" }).meta({ description: "Repository name (without owner)." }),
        branch: text([names.branchName]).meta({ description: "Branch the workflow file is committed to and whose pushes push to the cache; the repository's default branch (looked up on `pulumi up`) when unset." }).optional(),
        targets: list(text([names.flakeTarget])).check(noDuplicates((t) => (typeof t === "string" ? t : undefined), "target")).meta({ description: "Flake attributes to build (`nix build -L .#TARGET`); empty builds the default package." }).default([]),
        ...REPOSITORY_JOB_FIELDS,
    }, { description: "A repository whose CI builds and pushes to the cache", argsType: "GithubRepositoryArgs" }),
);

const only = (key: string, when: string, actual: unknown, ctx: z.core.$RefinementCtx) =>
    ctx.addIssue({ code: "custom", path: [key], message: `only applies when ${when}; scope is ${describeValue(actual)}`, input: undefined });

/** `visibility`, `environment` and `createEnvironment` each belong to one scope. */
const secretScopeFields = across((value, ctx) => {
    // An invalid scope is reported by itself; the others are judged against the default.
    const scope = ["organization", "environment"].includes(value.scope as string) ? value.scope : "repository";
    if (value.visibility !== undefined && scope !== "organization") {
        only("visibility", "scope is organization", scope, ctx);
    }
    if (scope === "environment" && value.environment === undefined) {
        ctx.addIssue({ code: "custom", path: ["environment"], message: "is required when scope is environment; expected an environment name", input: undefined });
    }
    if (value.environment !== undefined && scope !== "environment") {
        only("environment", "scope is environment", scope, ctx);
    }
    if (value.createEnvironment !== undefined && scope !== "environment") {
        only("createEnvironment", "scope is environment", scope, ctx);
    }
    if (value.manageEnvironment !== undefined && scope !== "environment") {
        only("manageEnvironment", "scope is environment", scope, ctx);
    }
    if (value.createEnvironment === true && value.manageEnvironment === true) {
        ctx.addIssue({ code: "custom", path: ["manageEnvironment"], message: "excludes createEnvironment: the stack either creates a missing environment or owns it; set one", input: undefined });
    }
    const credential = value.credential === "signingKey" ? "signingKey" : "authToken";
    if (value.authTokenName !== undefined && credential !== "signingKey") {
        ctx.addIssue({ code: "custom", path: ["authTokenName"], message: `only applies when credential is signingKey; credential is ${describeValue(credential)}`, input: undefined });
    }
    const name = typeof value.name === "string" ? value.name : DEFAULT_SECRET_NAMES[credential];
    const tokenName = typeof value.authTokenName === "string" ? value.authTokenName : DEFAULT_SECRET_NAMES.authToken;
    if (credential === "signingKey" && name.toUpperCase() === tokenName.toUpperCase()) {
        const at = value.authTokenName === undefined ? "name" : "authTokenName";
        ctx.addIssue({ code: "custom", path: [at], message: `the signing key and the auth token need two secrets; both are named ${describeValue(name)}`, input: undefined });
    }
    if (value.access !== undefined && (scope !== "organization" || (value.visibility ?? "selected") !== "selected")) {
        ctx.addIssue({ code: "custom", path: ["access"], message: "only applies to an organization secret with visibility selected", input: undefined });
    }
});

/** Which Actions secret carries the Cachix credential, and where it lives. */
const secret = section({
    scope: oneOf(["repository", "organization", "environment"], {
        argsType: "SecretScope",
        typeDescription: "Where the Cachix credential's Actions secret lives",
        members: { repository: "One secret per repository", organization: "One organisation secret", environment: "One secret per GitHub environment of each repository" },
    }).meta({ description: "Per repository, once for the organisation, or per GitHub environment of each repository." }).default("repository"),
    visibility: oneOf(["all", "private", "selected"], {
        argsType: "SecretVisibility",
        typeDescription: "Which repositories may read an organisation secret",
        members: { all: "Every repository of the organisation", private: "The organisation's private repositories", selected: "The declared repositories only" },
    }).meta({ description: "Organisation secrets only: which repositories may read it." }).optional(),
    environment: text([names.githubEnvironment]).meta({ description: "Environment secrets only: the environment's name (the build job runs in it)." }).optional(),
    createEnvironment: flag().meta({ description: "Environment secrets only: `true` creates the environment when it does not exist (it is kept on destroy). Off unless set, so an existing environment's protection rules are never touched." }).optional(),
    manageEnvironment: flag().meta({ description: "Environment secrets only: `true` makes the stack own the environment, created or reset to no protection rules on every change. Off unless set; excludes `createEnvironment`." }).optional(),
    credential: oneOf(["authToken", "signingKey"], {
        argsType: "CachixCredentialKind",
        typeDescription: "The Cachix credential CI pushes with",
        members: { authToken: "The auth token (`CACHIX_AUTH_TOKEN`)", signingKey: "A self-signed cache's signing key (`CACHIX_SIGNING_KEY`), with the auth token" },
    }).meta({ description: "`authToken`: cachix-action pushes with `CACHIX_AUTH_TOKEN`; `signingKey`: a self-signed cache, pushed with the auth token and signed with `CACHIX_SIGNING_KEY` in addition." }).default("authToken"),
    name: text([names.githubSecretName]).meta({ description: "The credential's secret name, `CACHIX_AUTH_TOKEN` or `CACHIX_SIGNING_KEY` unless overridden." }).optional(),
    authTokenName: text([names.githubSecretName]).meta({ description: "`signingKey` only: the auth token's secret name, `CACHIX_AUTH_TOKEN` unless overridden." }).optional(),
    access: oneOf(["exact", "additive"], {
        argsType: "SecretAccess",
        typeDescription: "How a `selected` organisation secret's repository list is managed",
        members: { exact: "The list is exactly the declared repositories", additive: "Each declared repository is granted; others are left alone" },
    }).meta({ description: "Organisation secrets with `visibility: selected`: `exact` (default) makes the access list exactly the declared repositories; `additive` grants each declared one and leaves others alone." }).optional(),
}, { description: "Which Actions secret carries the Cachix credential, and where it lives", argsType: "GithubSecretArgs", checks: [secretScopeFields] }).transform((s) => {
    const name = s.name ?? DEFAULT_SECRET_NAMES[s.credential];
    // With `authToken` the credential's secret is the auth token's.
    const authTokenName = s.credential === "signingKey" ? (s.authTokenName ?? DEFAULT_SECRET_NAMES.authToken) : name;
    return { ...s, visibility: s.visibility ?? "selected", name, authTokenName, access: s.access ?? "exact" };
});

const ACTION_KEYS = ["checkout", "installNix", "cachix", "awsCredentials"] as const;

/** Pins are keyed by the repositories of the references in use, and only those. */
const pinsOfUsedActions = across((value, ctx) => {
    const valid = (ref: unknown): ref is string => typeof ref === "string" && names.actionReference.pattern.test(ref);
    const used = ACTION_KEYS.map((key) => actionRepository(valid(value[key]) ? value[key] : WORKFLOW_DEFAULTS.actions[key]));
    if (typeof value.pins === "object" && value.pins !== null && !Array.isArray(value.pins)) {
        reportUnknownKeys(value.pins, used, ctx, ["pins"]);
    }
});

/** The action references the workflow uses, and optional commit SHAs to pin them to. */
const actions = section({
    checkout: text([names.actionReference]).meta({ description: "e.g. `actions/checkout@v7`." }).default(WORKFLOW_DEFAULTS.actions.checkout),
    installNix: text([names.actionReference]).meta({ description: "e.g. `cachix/install-nix-action@v31`." }).default(WORKFLOW_DEFAULTS.actions.installNix),
    cachix: text([names.actionReference]).meta({ description: "e.g. `cachix/cachix-action@v17`." }).default(WORKFLOW_DEFAULTS.actions.cachix),
    awsCredentials: text([names.actionReference]).meta({ description: "e.g. `aws-actions/configure-aws-credentials@v6`; used only when the S3 mirror is on." }).default(WORKFLOW_DEFAULTS.actions.awsCredentials),
    pin: oneOf(["commit", "tag"], {
        argsType: "ActionPin",
        typeDescription: "How the workflow writes action references",
        members: { commit: "A tag the project's table knows is written as its commit, with a `# vX.Y.Z` comment", tag: "References are written as configured" },
    }).meta({ description: "`commit` (default): a tag the project's table knows is written as its commit with a `# vX.Y.Z` comment; `tag`: references are written as configured." }).default("commit"),
    pins: z.preprocess((v) => v ?? undefined, z.record(z.string(), text([names.commitSha]), {
        error: (iss) => `expected an object of owner/repo: SHA; got ${describeValue(iss.input)}`,
    })).meta({ recordKey: "repository", description: "Optional commit SHAs to pin actions to, keyed by `owner/repo`; they win over `pin`." }).default({}),
}, { description: "The GitHub Actions references the workflow uses", argsType: "WorkflowActionsArgs", checks: [pinsOfUsedActions] });

/** `schedule`: a cron replacing the nightly one; `false` is the former spelling of `noSchedule: true`. */
const schedule = z
    .union([text([cronRule]), z.literal([false, "false"])], { error: (iss) => `expected a cron string or false; got ${describeValue(iss.input)}` })
    .meta({ tsType: "string", description: `Cron of the nightly rebuild (\`${WORKFLOW_DEFAULTS.schedule}\` unless set)` });

/** The nightly rebuild is off, or on at one time: not both. */
const oneSchedule = across((value, ctx) => {
    if (value.noSchedule === true && typeof value.schedule === "string" && value.schedule !== "false") {
        ctx.addIssue({ code: "custom", path: ["noSchedule"], message: "excludes schedule: the nightly rebuild is either off or at one time; set one", input: undefined });
    }
});

/** A commit author needs an email and the other way round. */
const authorWithEmail = across((value, ctx) => {
    if ((value.commitAuthor === undefined) !== (value.commitEmail === undefined)) {
        ctx.addIssue({ code: "custom", message: "commitAuthor and commitEmail go together; set both or neither", input: undefined });
    }
});

/** The workflow file the project owns in each repository. */
const workflow = section({
    path: text([names.workflowPath]).meta({ description: "Path in the repository, `.github/workflows/build.yml` by default." }).default(WORKFLOW_DEFAULTS.path),
    name: text([names.workflowName]).meta({ description: "The workflow's display name." }).default(WORKFLOW_DEFAULTS.name),
    schedule: schedule.optional(),
    noSchedule: flag("No nightly rebuild (`schedule: false` says the same)").optional(),
    pullRequests: flag().meta({ description: "Build pull requests (without pushing from forks)." }).default(true),
    workflowDispatch: flag().meta({ description: "Allow manual runs." }).default(true),
    runsOn: text([names.runnerLabel]).meta({ description: "Runner label." }).default(WORKFLOW_DEFAULTS.runsOn),
    verify: flag().meta({ description: "Fail the job when a built output is not in the cache after pushing." }).default(true),
    concurrency: flag().meta({ description: "One run per branch or pull request at a time; superseded pull-request runs are cancelled." }).default(true),
    extraNixConfig: text([names.nixConfigLines]).meta({ description: "Extra nix.conf lines for install-nix-action's `extra_nix_config`." }).optional(),
    actions: actions.meta({ description: "Action references." }).prefault({}),
    commitMessage: text([names.commitMessage]).meta({ description: "Commit message used when the file changes." }).default(WORKFLOW_DEFAULTS.commitMessage),
    commitAuthor: text([names.authorName]).meta({ description: "Commit author name, if not the token's user." }).optional(),
    commitEmail: text([names.emailAddress]).meta({ description: "Commit author email, if not the token's user." }).optional(),
    ...WORKFLOW_JOB_FIELDS,
}, { description: "The workflow file the project owns in each repository", argsType: "WorkflowArgs", checks: [authorWithEmail, oneSchedule, workflowJobChecks] }).transform(({ schedule: cron, noSchedule, ...rest }) => {
    const off = noSchedule === true || cron === false || cron === "false";
    return { ...rest, ...(off ? {} : { schedule: cron ?? WORKFLOW_DEFAULTS.schedule }) };
});

/** `nix-cache:github`: the Cachix credential as Actions secrets and the workflow in each repository. */
export const githubSection = section(
    {
        owner: text([names.githubOwner], { required: "a string" }).meta({ description: "Organisation or user owning the repositories." }),
        repositories: list(repository, { min: 1, required: "a list of repositories" }).check(
            noDuplicates((r: { name?: unknown }) => (typeof r?.name === "string" ? r.name.toLowerCase() : undefined), "repository"),
        ).meta({ description: "Repositories to manage." }),
        secret: secret.meta({ description: "The Cachix credential's secret." }).prefault({}),
        workflow: workflow.meta({ description: "The workflow file." }).prefault({}),
    },
    { description: "GitHub CI: the Cachix credential as Actions secrets and the workflow in each repository (see docs/github.md)", argsType: "GithubArgs", checks: [repositoryJobChecks] },
);

/** `owner/repo` of an action reference `owner/repo[/path]@ref`. */
export function actionRepository(reference: string): string {
    return reference.split("@")[0].split("/").slice(0, 2).join("/");
}
