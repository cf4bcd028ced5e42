/**
 * The components check their arguments with the stack file's own schema (`stackSchema`): the
 * same rules, the same messages, one copy. Arguments that decide which resources exist or what
 * they contain are needed before anything is registered, so they must be known plain values; an
 * `Output` or a promise there is refused by name. Secret values (tokens, keys), the deploy-time
 * caches and hosts' connection fields are the `Input`s, checked where they resolve.
 *
 * Wrong arguments are `pulumi.RunError`s, as every argument error of the components is: a
 * program then ends with the message alone, without the SDK's stack dump of the error object
 * (which took about a minute to format here).
 */
import * as pulumi from "@pulumi/pulumi";
import { HostSpec, StackModel } from "../config/model";
import { keysNeededOffline } from "../config/cacheSection";
import { describeKey } from "../config/redact";
import { documentIssues } from "../config/documentRules";
import { parseStack } from "../config/parse";
import { stackSchema } from "../config/stackSchema";
import { definedOnly } from "../formats/definedOnly";
import { CacheArgs, ExtraCacheArgs } from "./cacheArgs";
import { anyDeferred, withStandIns } from "./deferredEndpoints";
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

/** Renames an argument path in messages (`hosts[0]` → `host`). */
export type PathNamer = (path: string) => string;

/**
 * The validated model of `sections`, or an error naming the component, every wrong argument
 * and what was expected. Hosts' connection fields that are Outputs are checked by
 * {@link resolvedHosts}; here they are valid stand-ins.
 */
export function validatedSections(component: string, name: string, sections: StackSections, at: PathNamer = (p) => p, keys: "required" | "from-cachix" = "required"): StackModel {
    const planned = sections.hosts === undefined ? sections : { ...sections, hosts: withStandIns(sections.hosts) };
    const outputs = nonPlainPaths(planned);
    if (outputs.length > 0) {
        throw new pulumi.RunError(`${component} ${name}: ${outputs.map(at).join(", ")} must be known plain values, not Outputs or promises: ` +
            "they decide which resources are created and what they contain, before any is registered");
    }
    const model = parsedSections(component, name, planned, at, false);
    // The keys decide every rendered file: a component takes them as given, read from Cachix before.
    if (keys === "required" && model.cache.publicKeys.length === 0) {
        throw new pulumi.RunError(`${component} ${name}: cache.publicKeys ${keysNeededOffline("by the components")}, or read them with cacheSetupArgsFromCachix first`);
    }
    return model;
}

/**
 * The hosts of `sections` with their connection fields resolved and checked like the stack
 * file's, all hosts together (two entries on one machine included); undefined when no field is
 * an Output, since {@link validatedSections} checked them all then. A failed check fails the
 * Output, so nothing that waits on it (the host's connection) is sent. When a resolved value is
 * secret, messages name the arguments without their values.
 */
export function resolvedHosts(component: string, name: string, sections: StackSections, at: PathNamer = (p) => p): pulumi.Output<readonly HostSpec[]> | undefined {
    if (!anyDeferred(sections.hosts)) {
        return undefined;
    }
    const hosts = pulumi.output(sections.hosts!) as pulumi.Output<HostArgs[]>;
    return pulumi
        .all([hosts, pulumi.output(pulumi.isSecret(hosts))])
        .apply(([resolved, secret]) => parsedSections(component, name, { ...sections, hosts: resolved }, at, secret).hosts);
}

function parsedSections(component: string, name: string, sections: StackSections, at: PathNamer, hideValues: boolean): StackModel {
    const result = parseStack(schema, stackDocument(sections));
    if (!result.success) {
        throw argumentsError(component, name, result.issues.map((issue) => `${at(argsPath(issue.path))}${hideValues ? " is invalid (it resolved to a secret, so what it is and the rule it breaks are not shown)" : `: ${issue.message}`}`));
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

/**
 * `value`, an argument known only at deploy time (caches another resource adds), once it holds no
 * credential or object-member key: it is written into the same files as the checked ones.
 */
export function checkedDeployTimeValue<T>(component: string, name: string, argument: string, value: T): T {
    const problems = documentIssues(value).map((issue) => `${argsPath([argument, ...issue.path])}: ${issue.message}`);
    if (problems.length > 0) {
        throw argumentsError(component, name, problems);
    }
    return value;
}

/** The error listing a component's wrong arguments, each a `path: what is wrong` line. */
function argumentsError(component: string, name: string, problems: readonly string[]): pulumi.RunError {
    const noun = problems.length === 1 ? "problem" : "problems";
    return new pulumi.RunError([`${component} ${name}: invalid arguments (${problems.length} ${noun}):`, ...problems.map((p) => `  - ${p}`)].join("\n"));
}
