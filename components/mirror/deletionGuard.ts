import * as pulumi from "@pulumi/pulumi";

/** The environment variable that allows deleting a mirror: set to its bucket's name. */
export const DELETE_MIRROR_ENV = "NIX_CACHE_DELETE_MIRROR";

/**
 * Why the mirror of `bucket` may not be deleted, or undefined when `allowed` (the value of
 * {@link DELETE_MIRROR_ENV} where the engine runs) names that bucket.
 */
export function mirrorDeletionRefusal(bucket: string, allowed: string | undefined): string | undefined {
    if (allowed === bucket) {
        return undefined;
    }
    return (
        `refusing to delete the S3 mirror of bucket ${bucket}: removing the mirror or destroying the stack would delete its bucket's ` +
        `configuration, its CI access and its signing key. To delete it deliberately, run again with ${DELETE_MIRROR_ENV}=${bucket} (see docs/mirror.md)`
    );
}

/** What the guard keeps in state. */
interface GuardState {
    /** The bucket whose mirror it guards. */
    readonly bucket: string;
}

/**
 * The guard's lifecycle, run in Pulumi's dynamic-provider host. Every other resource of the
 * mirror is a dependency of the guard, so the engine deletes the guard first (dependents go
 * before their dependencies, with or without a preview), and its failing delete stops the
 * deletion before any mirror resource goes. A new bucket name updates it in place: a
 * replacement would delete it.
 */
export const mirrorDeletionGuardProvider: pulumi.dynamic.ResourceProvider<GuardState, GuardState> = {
    async create(inputs) {
        return { id: inputs.bucket, outs: { bucket: inputs.bucket } };
    },
    async diff(_id, olds, news) {
        return { changes: olds.bucket !== news.bucket, replaces: [], deleteBeforeReplace: false };
    },
    async update(_id, _olds, news) {
        return { outs: { bucket: news.bucket } };
    },
    async delete(_id, props) {
        const refusal = mirrorDeletionRefusal(props.bucket, process.env[DELETE_MIRROR_ENV]);
        if (refusal !== undefined) {
            throw new Error(refusal);
        }
    },
};

/** A resource whose deletion fails unless allowed, deleted before every resource it depends on. */
export class MirrorDeletionGuard extends pulumi.dynamic.Resource {
    /** The bucket whose mirror it guards. */
    declare readonly bucket: pulumi.Output<string>;

    constructor(name: string, args: { bucket: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions) {
        super(mirrorDeletionGuardProvider, name, { bucket: args.bucket }, opts, undefined, "MirrorDeletionGuard");
    }
}
