import { Stack } from "@pulumi/pulumi/automation";
import { resourceName } from "../../../scripts/localhost/engine/engineRun";

/** A resource as the stack's state records it. */
export interface StateResource {
    readonly urn: string;
    readonly type: string;
    readonly id?: string;
    readonly outputs?: Record<string, unknown>;
    readonly retainOnDelete?: boolean;
}

async function stateResources(stack: Stack): Promise<StateResource[]> {
    const deployment = (await stack.exportStack()).deployment as { resources?: StateResource[] };
    return deployment.resources ?? [];
}

/** The names of the resources in the stack's state. */
export async function resourcesInState(stack: Stack): Promise<string[]> {
    return (await stateResources(stack)).map((resource) => resourceName(resource.urn));
}

/** The outputs the state holds for the resource of `type` named `name`; throws when there is none. */
export async function outputsInState(stack: Stack, type: string, name: string): Promise<Record<string, unknown>> {
    const resource = (await stateResources(stack)).find((r) => r.type === type && resourceName(r.urn) === name);
    if (resource === undefined) {
        throw new Error(`no ${type} named ${name} in the stack's state`);
    }
    return resource.outputs ?? {};
}

/** The resource named `name` as the stack's state records it, or undefined when the state lacks it. */
export async function resourceInState(stack: Stack, name: string): Promise<StateResource | undefined> {
    return (await stateResources(stack)).find((resource) => resourceName(resource.urn) === name);
}
