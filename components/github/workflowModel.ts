import { GithubSpec, StackModel } from "../config/model";

// The shapes the workflow renderer and its step builders share, apart from either, so the
// step builders need not import the renderer that calls them.

/** What a workflow is rendered from: the cache, the caches CI pulls from, and the `github` section. */
export type WorkflowModel = Pick<StackModel, "cache" | "extraCaches" | "mirror"> & { readonly github: GithubSpec };

/** One step of the build job, in the key order the file shows. */
export interface WorkflowStep {
    readonly name: string;
    readonly if?: string;
    readonly uses?: string;
    readonly with?: Readonly<Record<string, string | boolean>>;
    readonly env?: Readonly<Record<string, string>>;
    readonly run?: string;
}
