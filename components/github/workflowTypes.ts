import { GithubSpec, StackModel } from "../config/model";

/** What a workflow is rendered from: the cache, the caches CI pulls from, and the `github` section. */
export type WorkflowModel = Pick<StackModel, "cache" | "extraCaches" | "mirror"> & { readonly github: GithubSpec };

/** One step of a job, in the key order the file shows. */
export interface WorkflowStep {
    readonly name: string;
    /** Lets later steps ask for this step's outcome (`steps.ID.outcome`). */
    readonly id?: string;
    readonly if?: string;
    readonly uses?: string;
    readonly with?: Readonly<Record<string, string | boolean>>;
    readonly env?: Readonly<Record<string, string>>;
    readonly run?: string;
}
