import { RegisteredResource } from "./githubMocks";
import { GithubModel } from "./githubModel";
import { Deployed, plain, PROPERTY_REPLACEMENTS, replacesOn, resourceModel } from "./githubProviderModel";

/**
 * A model of the steps `pulumi up` takes from the stack's state to a program's registrations,
 * applied to a {@link GithubModel} through the provider's effects. Mocks register resources but
 * never run a delete; this runs them, in the engine's order:
 *
 * - registrations in the order the program makes them (an input from another resource waits
 *   for it, so this is dependency order): a new name (and no alias of an old one) is a create;
 *   changed inputs an update, or a replacement when an input is `ForceNew` (or in
 *   `replaceOnChanges`), the recorded `replacementTrigger` changed, or a `replaceWith` resource
 *   was replaced;
 * - a replacement creates the new resource before deleting the old, which is deleted with the
 *   removed resources at the end, unless `deleteBeforeReplace`: then the dependents whose
 *   `ForceNew` inputs come from it are deleted first (their registrations later are creates),
 *   then it, then it is created;
 * - resources the program no longer registers are deleted last, dependents first; a
 *   `retainOnDelete` one is forgotten, and one `deletedWith` a resource deleted in the same run
 *   is not deleted.
 *
 * A failed call (404, 409, 422) fails the run, as it fails `pulumi up`.
 */

/** The state after a run and the steps it took (`create NAME`, ...), none for a run with nothing to do. */
export interface Deployment {
    readonly state: Deployed[];
    readonly steps: string[];
}

const urnName = (urn: string) => urn.split("::").pop()!;
const isGithub = (r: { type: string }) => r.type.startsWith("github:index/");

/** Inputs compared as the engine compares them: secrets by value. */
function changedKeys(old: Record<string, unknown>, next: Record<string, unknown>, ignored: readonly string[]): string[] {
    const keys = new Set([...Object.keys(old), ...Object.keys(next)]);
    return [...keys].filter((k) => !ignored.includes(k) && JSON.stringify(plain(old[k])) !== JSON.stringify(plain(next[k])));
}

/** Runs `pulumi up` from `state` to `registered` against `github`, changing it. */
export function deploy(github: GithubModel, state: readonly (Deployed & { options?: RegisteredResource["options"] })[], registered: readonly RegisteredResource[]): Deployment {
    type Entry = Deployed & { options: RegisteredResource["options"] };
    const olds = new Map(state.map((s) => [s.name, s as Entry]));
    const consumed = new Set<string>();
    const deletedNames = new Set<string>();
    const replaced = new Set<string>();
    const pendingDeletes: Entry[] = [];
    const next: Entry[] = [];
    const steps: string[] = [];

    const remove = (old: Entry) => {
        deletedNames.add(old.name);
        if (old.options.retainOnDelete) {
            steps.push(`forget ${old.name}`);
            return;
        }
        if (old.options.deletedWith !== "" && deletedNames.has(urnName(old.options.deletedWith))) {
            steps.push(`skip ${old.name} (deleted with ${urnName(old.options.deletedWith)})`);
            return;
        }
        steps.push(`delete ${old.name}`);
        resourceModel(old.type).delete(github, old);
    };
    const create = (goal: RegisteredResource) => {
        steps.push(`create ${goal.name}`);
        next.push({ type: goal.type, name: goal.name, inputs: goal.inputs, stored: resourceModel(goal.type).create(github, goal.inputs), options: goal.options });
    };
    // The old resources that must go before `root` when it is deleted first, dependents first.
    const dependentsOf = (root: Entry): Entry[] => {
        const set = new Set([root.name]);
        const found: Entry[] = [];
        for (const candidate of state as Entry[]) {
            if (consumed.has(candidate.name) || set.has(candidate.name)) {
                continue;
            }
            const from = candidate.options.dependencies.map(urnName).filter((d) => set.has(d));
            const source = PROPERTY_REPLACEMENTS[candidate.type];
            if (from.some((d) => olds.get(d)?.type === source)) {
                set.add(candidate.name);
                found.push(candidate);
            }
        }
        return found.reverse();
    };

    for (const goal of registered.filter(isGithub)) {
        const oldName = [goal.name, ...goal.options.aliases].find((n) => olds.has(n) && !consumed.has(n));
        const old = oldName === undefined ? undefined : olds.get(oldName)!;
        if (oldName !== undefined) {
            consumed.add(oldName);
        }
        if (old === undefined || deletedNames.has(old.name)) {
            create(goal);
            continue;
        }
        const changed = changedKeys(old.inputs, goal.inputs, goal.options.ignoreChanges);
        const replace =
            changed.some((k) => replacesOn(github, goal.type, k, old.inputs, goal.inputs)) ||
            (changed.length > 0 && goal.options.replaceOnChanges.some((k) => k === "*" || changed.includes(k))) ||
            // A first recorded trigger (none in the state yet) is not a change: Pulumi 3.248 records it without replacing.
            (old.options.replacementTrigger !== undefined && JSON.stringify(plain(old.options.replacementTrigger)) !== JSON.stringify(plain(goal.options.replacementTrigger) ?? null)) ||
            goal.options.replaceWith.some((urn) => replaced.has(urnName(urn)));
        if (replace) {
            replaced.add(goal.name);
            steps.push(`replace ${goal.name}`);
            if (goal.options.deleteBeforeReplace) {
                for (const dependent of dependentsOf(old)) {
                    consumed.add(dependent.name);
                    remove(dependent);
                }
                remove(old);
                create(goal);
            } else {
                create(goal);
                pendingDeletes.push(old);
            }
        } else if (changed.length > 0) {
            steps.push(`update ${goal.name} (${changed.join(", ")})`);
            next.push({ ...goal, stored: resourceModel(goal.type).update(github, goal.inputs, old), options: goal.options });
        } else {
            next.push({ ...goal, stored: old.stored, options: goal.options });
        }
    }
    const leaving = new Set([...pendingDeletes, ...(state as Entry[]).filter((s) => !consumed.has(s.name))]);
    for (const old of [...(state as Entry[])].reverse().filter((s) => leaving.has(s))) {
        remove(old);
    }
    return { state: next, steps };
}
