import * as pulumi from "@pulumi/pulumi";
import { policyRetryDelay, policyRetryGiveUp } from "./publicReads";

/**
 * An `onError` hook for a public bucket policy: while S3 refuses it for the public access block
 * (see {@link policyRetryDelay}), the engine is asked to put it again after a wait; once the
 * waits are used up, the hook fails with the reason, which the engine reports next to S3's.
 */
export function policyRetryHook(name: string, bucket: string, delays?: readonly number[]): pulumi.ErrorHook {
    return new pulumi.ErrorHook(`${name}-policy-retry`, async (args) => {
        const delay = policyRetryDelay(args.errors, delays);
        if (delay === undefined) {
            if (policyRetryDelay(args.errors.slice(0, 1), delays) !== undefined) {
                throw new Error(policyRetryGiveUp(bucket, delays));
            }
            return false;
        }
        await new Promise((resolve) => setTimeout(resolve, delay * 1000));
        return true;
    });
}
