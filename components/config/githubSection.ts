import { z } from "zod";
import { cronRule } from "../formats/cron";
import { across, flag, list, noDuplicates, oneOf, reportUnknownKeys, section, text } from "./fields";
import * as names from "../formats/names";
import { describeValue } from "./redact";

/** Defaults that follow the user's guide. */
export const WORKFLOW_DEFAULTS = {
    path: ".github/workflows/build.yml",
    name: "Build",
    schedule: "51 2 * * *",
    runsOn: "ubuntu-latest",
    commitMessage: "ci: update Nix cache workflow (managed by nix-cache)",
    actions: {
        checkout: "actions/checkout@v4",
        installNix: "cachix/install-nix-action@v31",
        cachix: "cachix/cachix-action@v16",
        awsCredentials: "aws-actions/configure-aws-credentials@v4",
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
        /** Repository name (without owner). */
        name: text([names.githubRepository], { required: "a string" }),
        /** Branch the workflow file is committed to and whose pushes push to the cache. */
        branch: text([names.branchName]).default("main"),
        /** Flake attributes to build (`nix build -L .#TARGET`); empty builds the default package. */
        targets: list(text([names.flakeTarget])).check(noDuplicates((t) => (typeof t === "string" ? t : undefined), "target")).default([]),
    }),
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
});

/** Which Actions secret carries the Cachix credential, and where it lives. */
const secret = section({
    /** Per repository, once for the organisation, or per GitHub environment of each repository. */
    scope: oneOf(["repository", "organization", "environment"]).default("repository"),
    /** Organisation secrets only: which repositories may read it. */
    visibility: oneOf(["all", "private", "selected"]).optional(),
    /** Environment secrets only: the environment's name (the build job runs in it). */
    environment: text([names.githubEnvironment]).optional(),
    /**
     * Environment secrets only: `true` creates the environment when it does not exist (it is kept
     * on destroy). Off unless set, so an existing environment's protection rules are never touched.
     */
    createEnvironment: flag().optional(),
    /** `authToken`: cachix-action pushes with `CACHIX_AUTH_TOKEN`; `signingKey`: self-signed cache. */
    credential: oneOf(["authToken", "signingKey"]).default("authToken"),
    /** The secret's name, `CACHIX_AUTH_TOKEN` or `CACHIX_SIGNING_KEY` unless overridden. */
    name: text([names.githubSecretName]).optional(),
}, { checks: [secretScopeFields] }).transform((s) => ({ ...s, visibility: s.visibility ?? "selected", name: s.name ?? DEFAULT_SECRET_NAMES[s.credential] }));

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
    /** e.g. `actions/checkout@v4`. */
    checkout: text([names.actionReference]).default(WORKFLOW_DEFAULTS.actions.checkout),
    /** e.g. `cachix/install-nix-action@v31`. */
    installNix: text([names.actionReference]).default(WORKFLOW_DEFAULTS.actions.installNix),
    /** e.g. `cachix/cachix-action@v16`. */
    cachix: text([names.actionReference]).default(WORKFLOW_DEFAULTS.actions.cachix),
    /** e.g. `aws-actions/configure-aws-credentials@v4`; used only when the S3 mirror is on. */
    awsCredentials: text([names.actionReference]).default(WORKFLOW_DEFAULTS.actions.awsCredentials),
    /** Optional commit SHAs to pin actions to, keyed by `owner/repo`. */
    pins: z.preprocess((v) => v ?? undefined, z.record(z.string(), text([names.commitSha]), {
        error: (iss) => `expected an object of owner/repo: SHA; got ${describeValue(iss.input)}`,
    })).default({}),
}, { checks: [pinsOfUsedActions] });

/** `schedule: false` turns the nightly rebuild off; a string replaces the cron. */
const schedule = z
    .union([text([cronRule]), z.literal([false, "false"])], { error: (iss) => `expected a cron string or false; got ${describeValue(iss.input)}` })
    .default(WORKFLOW_DEFAULTS.schedule)
    .transform((value) => (value === false || value === "false" ? undefined : value));

/** A commit author needs an email and the other way round. */
const authorWithEmail = across((value, ctx) => {
    if ((value.commitAuthor === undefined) !== (value.commitEmail === undefined)) {
        ctx.addIssue({ code: "custom", message: "commitAuthor and commitEmail go together; set both or neither", input: undefined });
    }
});

/** The workflow file the project owns in each repository. */
const workflow = section({
    /** Path in the repository, `.github/workflows/build.yml` by default. */
    path: text([names.workflowPath]).default(WORKFLOW_DEFAULTS.path),
    /** The workflow's display name. */
    name: text([names.workflowName]).default(WORKFLOW_DEFAULTS.name),
    /** Cron for the nightly rebuild (`51 2 * * *`), or undefined for none. */
    schedule,
    /** Build pull requests (without pushing from forks). */
    pullRequests: flag().default(true),
    /** Allow manual runs. */
    workflowDispatch: flag().default(true),
    /** Runner label. */
    runsOn: text([names.runnerLabel]).default(WORKFLOW_DEFAULTS.runsOn),
    /** Fail the job when a built output is not in the cache after pushing. */
    verify: flag().default(true),
    /** One run per branch or pull request at a time; superseded pull-request runs are cancelled. */
    concurrency: flag().default(true),
    /** Extra nix.conf lines for install-nix-action's `extra_nix_config`. */
    extraNixConfig: text([names.nixConfigLines]).optional(),
    /** Action references. */
    actions: actions.prefault({}),
    /** Commit message used when the file changes. */
    commitMessage: text([names.commitMessage]).default(WORKFLOW_DEFAULTS.commitMessage),
    /** Commit author name, if not the token's user. */
    commitAuthor: text([names.authorName]).optional(),
    /** Commit author email, if not the token's user. */
    commitEmail: text([names.emailAddress]).optional(),
}, { checks: [authorWithEmail] }).transform(({ schedule: cron, ...rest }) => ({ ...rest, ...(cron === undefined ? {} : { schedule: cron }) }));

/** `nix-cache:github`: the Cachix credential as Actions secrets and the workflow in each repository. */
export const githubSection = section(
    {
        /** Organisation or user owning the repositories. */
        owner: text([names.githubOwner], { required: "a string" }),
        /** Repositories to manage. */
        repositories: list(repository, { min: 1, required: "a list of repositories" }).check(
            noDuplicates((r: { name?: unknown }) => (typeof r?.name === "string" ? r.name.toLowerCase() : undefined), "repository"),
        ),
        /** The Cachix credential's secret. */
        secret: secret.prefault({}),
        /** The workflow file. */
        workflow: workflow.prefault({}),
    },
    { description: "GitHub CI: {owner, repositories, secret, workflow}; see docs/github.md" },
);

/** `owner/repo` of an action reference `owner/repo[/path]@ref`. */
export function actionRepository(reference: string): string {
    return reference.split("@")[0].split("/").slice(0, 2).join("/");
}
