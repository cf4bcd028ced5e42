/**
 * The components check their arguments with the stack file's own schema (`stackSchema`): the
 * same rules, the same messages, one copy. Arguments that decide which resources exist or what
 * they contain are needed before anything is registered, so they must be known plain values; an
 * `Output` or a promise there is refused by name. Secret values (tokens, keys), the deploy-time
 * caches and hosts' connection fields are the `Input`s, checked where they resolve.
 *
 * Wrong arguments are {@link ArgsError}s, each problem at its argument's property path.
 */
import * as pulumi from "@pulumi/pulumi";
import { HostSpec, StackModel } from "../config/model";
import { keysNeededOffline } from "../config/cacheSection";
import { ArgsError, argsPath } from "../config/argsError";
import { documentIssues } from "../config/documentRules";
import { parseStack } from "../config/parse";
import { stackSchema } from "../config/stackSchema";
import { HostArgs, StackSectionsArgs } from "./stackArgs";
import { anyDeferred, withStandIns } from "./deferredEndpoints";

/** The sections a component's arguments carry, by their stack-file names. */
export type StackSections = Readonly<StackSectionsArgs>;

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
        const why = "must be a known plain value, not an Output or a promise: it decides which resources are created and what they contain, before any is registered";
        throw new ArgsError(component, name, outputs.map((path) => ({ path: at(path), message: why })), `${outputs.map(at).join(", ")} must be known plain values, not Outputs or promises: ` +
            "they decide which resources are created and what they contain, before any is registered");
    }
    const model = parsedSections(component, name, planned, at, false);
    // The keys decide every rendered file: a component takes them as given, read from Cachix before.
    if (keys === "required" && model.cache.publicKeys.length === 0) {
        const message = `${keysNeededOffline("by the components")}, or read them with cacheSetupArgsFromCachix first`;
        throw new ArgsError(component, name, [{ path: "cache.publicKeys", message }], `cache.publicKeys ${message}`);
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
    const result = parseStack(schema, argsDocument(sections));
    if (!result.success) {
        const hidden = "is invalid (it resolved to a secret, so what it is and the rule it breaks are not shown)";
        throw new ArgsError(component, name, result.issues.map((issue) => ({ path: at(argsPath(issue.path)), message: hideValues ? hidden : issue.message })));
    }
    return result.data;
}

/** The arguments as a stack document: the same spelling, without the keys left undefined. */
function argsDocument(sections: StackSections): Record<string, unknown> {
    return Object.fromEntries(Object.entries(sections).filter(([, v]) => v !== undefined));
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

/**
 * `value`, an argument known only at deploy time (caches another resource adds), once it holds no
 * credential or object-member key: it is written into the same files as the checked ones.
 */
export function checkedDeployTimeValue<T>(component: string, name: string, argument: string, value: T): T {
    const problems = documentIssues(value).map((issue) => ({ path: argsPath([argument, ...issue.path]), message: issue.message }));
    if (problems.length > 0) {
        throw new ArgsError(component, name, problems);
    }
    return value;
}

/** What a parent that validated its whole tree hands a child with the child's arguments. */
export interface ValidatedSlice {
    /** The child's part of the parent's model: what the child's own validation would give. */
    readonly model: StackModel;
    /** Hosts whose connection fields were Outputs, as checked once they resolved. */
    readonly resolvedHosts?: pulumi.Output<readonly HostSpec[]>;
}

// Off the arguments themselves (nothing enumerable is added to them), and only this module can
// mark arguments: a caller cannot skip a component's validation.
const slices = new WeakMap<object, ValidatedSlice>();

/** `args`, marked as validated with `slice`: the component they are handed to does not check them again. */
export function withValidatedSlice<T extends object>(args: T, slice: ValidatedSlice): T {
    slices.set(args, slice);
    return args;
}

/** The slice `args` were handed with by the parent that validated them; undefined for a component used alone. */
export function validatedSliceOf(args: object): ValidatedSlice | undefined {
    return slices.get(args);
}

/** The sections of a model a child's arguments carry; `cache` and `useCacheNixosOrg` always. */
export type SectionName = "extraCaches" | "github" | "hosts" | "mirror";

/** `model` as the validation of only `sections` gives it: the others at their defaults. */
export function modelSlice(model: StackModel, sections: readonly SectionName[]): StackModel {
    const has = (section: SectionName) => sections.includes(section);
    return {
        ...model,
        extraCaches: has("extraCaches") ? model.extraCaches : [],
        hosts: has("hosts") ? model.hosts : [],
        github: has("github") ? model.github : undefined,
        mirror: has("mirror") ? model.mirror : undefined,
    };
}
