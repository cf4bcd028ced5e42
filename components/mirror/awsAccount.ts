import { AwsStackSettings } from "./providerArgs";

/**
 * Why the mirror must not go into this account, or undefined: the stack's
 * `aws:allowedAccountIds` (when set) must list it and `aws:forbiddenAccountIds` must not.
 * Checked for a provider handed in too, whose own settings the stack cannot see.
 */
export function accountProblem(accountId: string, settings: AwsStackSettings): string | undefined {
    const allowed = settings.allowedAccountIds as readonly string[] | undefined;
    const forbidden = settings.forbiddenAccountIds as readonly string[] | undefined;
    if (allowed !== undefined && !allowed.includes(accountId)) {
        return `the AWS credentials are of account ${accountId}, which aws:allowedAccountIds (${allowed.join(", ")}) does not list; expected credentials of an allowed account`;
    }
    if (forbidden?.includes(accountId)) {
        return `the AWS credentials are of account ${accountId}, which aws:forbiddenAccountIds lists; expected credentials of another account`;
    }
    return undefined;
}
