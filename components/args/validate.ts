/**
 * The components check their arguments with the stack file's own schema (`stackSchema`): the
 * same rules, the same messages, one copy. Arguments that decide which resources exist or what
 * they contain are needed before anything is registered, so they must be known plain values; an
 * `Output` or a promise there is refused by name. Secret values (tokens, keys) and the
 * deploy-time caches are the only `Input`s, checked where they resolve.
 */
import * as pulumi from "@pulumi/pulumi";
import { StackModel } from "../config/model";
import { describeKey } from "../config/redact";
import { stackSchema } from "../config/stackSchema";
import { CacheArgs, ExtraCacheArgs } from "./cacheArgs";
import { GithubArgs } from "./githubArgs";
import { HostArgs } from "./hostArgs";
import { MirrorArgs } from "./mirrorArgs";

/** The sections a component's arguments carry, by their stack-file names. */
export interface StackSections {
    readonly cache: CacheArgs;
    readonly useCacheNixosOrg?: boolean;
    readonly extraCaches?: ExtraCacheArgs[];
    readonly github?: GithubArgs;
    readonly hosts?: HostArgs[];
    readonly mirror?: MirrorArgs;
}

// Secret slots are not part of the arguments: which secrets are given is each component's check.
const schema = stackSchema({ secretsRequired: false });

/**
 * The validated model of `sections`, or an error naming the component, every wrong argument
 * and what was expected. `at` renames a section in messages (`hosts[0]` → `host`).
 */
export function validatedSections(component: string, name: string, sections: StackSections, at: (path: string) => string = (p) => p): StackModel {
    const outputs = nonPlainPaths(sections);
    if (outputs.length > 0) {
        throw new Error(`${component} ${name}: ${outputs.map(at).join(", ")} must be known plain values, not Outputs or promises: ` +
            "they decide which resources are created and what they contain, before any is registered");
    }
    const result = schema.safeParse(stackDocument(sections));
    if (!result.success) {
        const problems = result.error.issues.map((issue) => `  - ${at(argsPath(issue.path))}: ${issue.message}`);
        const noun = problems.length === 1 ? "problem" : "problems";
        throw new Error([`${component} ${name}: invalid arguments (${problems.length} ${noun}):`, ...problems].join("\n"));
    }
    return result.data;
}

/** The arguments as the stack file spells them: the two fields split for the schema analyzer joined again. */
export function stackDocument(sections: StackSections): Record<string, unknown> {
    const { hosts, github, ...rest } = sections;
    return definedOnly({
        ...rest,
        hosts: hosts?.map(({ sshAgentSocket, sshAgent, ...host }) => definedOnly({ ...host, sshAgent: sshAgentSocket ?? sshAgent })),
        github: github === undefined ? undefined : githubDocument(github),
    });
}

function githubDocument(github: GithubArgs): Record<string, unknown> {
    if (github.workflow === undefined) {
        return { ...github };
    }
    const { noSchedule, schedule, ...workflow } = github.workflow;
    return { ...github, workflow: definedOnly({ ...workflow, schedule: noSchedule === true ? false : schedule }) };
}

function definedOnly(value: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/** Where `value` holds an Output or a promise, as argument paths. */
export function nonPlainPaths(value: unknown, path = ""): string[] {
    if (pulumi.Output.isInstance(value) || value instanceof Promise) {
        return [path];
    }
    if (Array.isArray(value)) {
        return value.flatMap((item, index) => nonPlainPaths(item, `${path}[${index}]`));
    }
    if (typeof value === "object" && value !== null) {
        return Object.entries(value).flatMap(([key, item]) => nonPlainPaths(item, path === "" ? key : `${path}.${key}`));
    }
    return [];
}

/** `["hosts", 0, "hostKey"]` as `hosts[0].hostKey`; secret-looking keys are hidden. */
function argsPath(segments: readonly PropertyKey[]): string {
    return segments
        .map((segment, index) => (typeof segment === "number" ? `[${segment}]` : `${index === 0 ? "" : "."}${describeKey(String(segment))}`))
        .join("");
}
