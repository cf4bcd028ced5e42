/**
 * The `github.workflow` fields that shape the jobs: systems and their runners, `nix flake
 * check`, cachix-action's options, timeouts and how the file is delivered.
 */
import { z } from "zod";
import { nixConfigInput } from "../formats/installerInputs";
import { across, flag, integer, list, oneOf, section, text } from "./fields";
import * as names from "../formats/names";
import { describeKey, describeValue } from "./redact";

/** Runners for the systems GitHub hosts; other systems need `runsOn`. */
export const DEFAULT_RUNNERS: Readonly<Record<string, string>> = {
    "x86_64-linux": "ubuntu-latest",
    "aarch64-linux": "ubuntu-24.04-arm",
    "aarch64-darwin": "macos-latest",
};

/** A Nix system double. */
export const nixSystem = { pattern: /^[a-z0-9_]+-[a-z0-9_]+$/, expected: "a Nix system such as x86_64-linux" };

/** A system to build on; a bare string is shorthand for `{system}`. */
const systemEntry = z.preprocess(
    (value) => (typeof value === "string" ? { system: value } : value),
    section({
        /** The Nix system, e.g. `aarch64-linux`. */
        system: text([nixSystem], { required: "a Nix system such as x86_64-linux" }),
        /** The runner label; defaults exist for x86_64-linux, aarch64-linux and aarch64-darwin. */
        runsOn: text([names.runnerLabel]).optional(),
    }, {
        checks: [
            across((value, ctx) => {
                if (typeof value.system === "string" && value.runsOn === undefined && !Object.hasOwn(DEFAULT_RUNNERS, value.system)) {
                    ctx.addIssue({ code: "custom", path: ["runsOn"], message: `is required for system ${describeValue(value.system)}; GitHub hosts no default runner for it`, input: undefined });
                }
            }),
        ],
    }),
);

/** cachix-action's own options, passed through. */
const cachixOptions = section({
    /** A regular expression of store paths not to push (cachix-action's `pushFilter`). */
    pushFilter: text([{ pattern: /^[^\n\r]{1,500}$/, expected: "a one-line regular expression" }]).optional(),
    /** Push paths as they are built with cachix's daemon (cachix-action's `useDaemon`). */
    useDaemon: flag().optional(),
    /** Extra arguments for `cachix` (cachix-action's `cachixArgs`). */
    cachixArgs: text([{ pattern: /^[A-Za-z0-9 =._,:/+-]{1,200}$/, expected: "cachix arguments such as --compression-level 9" }]).optional(),
});

/** The fields this module adds to the workflow section. */
export const WORKFLOW_JOB_FIELDS = {
    /**
     * Systems to build on, each on its own runner. Unset: one system, on `runsOn`. The first
     * system of the list also runs on `runsOn` when that is set.
     */
    systems: list(systemEntry, { min: 1 }).optional(),
    /** Run `nix flake check -L` in its own job (per system). */
    flakeCheck: flag().default(false),
    /** cachix-action's `pushFilter`, `useDaemon` and `cachixArgs`. */
    cachixOptions: cachixOptions.prefault({}),
    /** `timeout-minutes` of every job. */
    timeoutMinutes: integer(1, 4320).optional(),
    /**
     * `commit` (default): the file is committed to each repository's branch. `pullRequest`: it
     * is committed to `deliveryBranch` and a pull request into the repository's branch is opened,
     * for branches that only take changes through pull requests.
     */
    delivery: oneOf(["commit", "pullRequest"]).default("commit"),
    /** The branch the stack commits to with `delivery: pullRequest`. */
    deliveryBranch: text([names.branchName]).default("nix-cache/workflow"),
};

/** Rules across the workflow's fields that the job fields take part in. */
export const workflowJobChecks = across((value, ctx) => {
    const installNix = (value.actions as { installNix?: unknown } | undefined)?.installNix;
    if (value.extraNixConfig !== undefined && typeof installNix === "string") {
        const repository = installNix.split("@")[0].split("/").slice(0, 2).join("/");
        if (nixConfigInput(repository) === undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["extraNixConfig"],
                message: `cannot be passed to ${describeValue(repository)}: its nix.conf input is not known; expected cachix/install-nix-action or a DeterminateSystems installer`,
                input: undefined,
            });
        }
    }
    if (Array.isArray(value.systems)) {
        const seen = new Set<string>();
        for (const entry of value.systems) {
            const system = typeof entry === "string" ? entry : (entry as { system?: unknown })?.system;
            if (typeof system === "string" && seen.has(system)) {
                ctx.addIssue({ code: "custom", path: ["systems"], message: `duplicate system ${describeValue(system)}; each must appear once`, input: undefined });
            }
            if (typeof system === "string") {
                seen.add(system);
            }
        }
    }
});

/** Per repository: targets for particular systems, replacing `targets` there. */
export const REPOSITORY_JOB_FIELDS = {
    /** e.g. `{ aarch64-darwin: [darwin-tools] }`; systems not named build `targets`. */
    targetsBySystem: z.record(z.string().regex(nixSystem.pattern), list(text([names.flakeTarget])), {
        error: (iss) => (iss.code === "invalid_key" ? `unknown key; expected ${nixSystem.expected}` : `expected an object of system: [targets]; got ${describeValue(iss.input)}`),
    }).optional(),
};

/** Rules between the repositories and the workflow: per-system targets, the delivery branch. */
export const repositoryJobChecks = across((value, ctx) => {
    const workflow = (value.workflow ?? {}) as { systems?: unknown; delivery?: unknown; deliveryBranch?: unknown };
    const systems = Array.isArray(workflow.systems)
        ? workflow.systems.map((s) => (typeof s === "string" ? s : (s as { system?: unknown })?.system))
        : undefined;
    const deliveryBranch = typeof workflow.deliveryBranch === "string" ? workflow.deliveryBranch : "nix-cache/workflow";
    (Array.isArray(value.repositories) ? value.repositories : []).forEach((repo, index) => {
        const { targetsBySystem, branch } = (typeof repo === "object" && repo !== null ? repo : {}) as { targetsBySystem?: unknown; branch?: unknown };
        if (typeof targetsBySystem === "object" && targetsBySystem !== null) {
            for (const system of Object.keys(targetsBySystem)) {
                if (systems === undefined || !systems.includes(system)) {
                    const expected = systems === undefined ? "workflow.systems is not set" : `expected one of workflow.systems: ${systems.map((s) => describeKey(String(s))).join(", ")}`;
                    ctx.addIssue({ code: "custom", path: ["repositories", index, "targetsBySystem", system], message: `is not a system the workflow builds; ${expected}`, input: undefined });
                }
            }
        }
        if (workflow.delivery === "pullRequest" && branch === deliveryBranch) {
            ctx.addIssue({ code: "custom", path: ["repositories", index, "branch"], message: `is workflow.deliveryBranch ${describeValue(deliveryBranch)}; the pull request needs two branches`, input: undefined });
        }
    });
});
