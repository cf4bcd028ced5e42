/** An account's S3 Block Public Access settings, as the AWS provider reads them. */
export interface AccountPublicAccessBlock {
    readonly blockPublicPolicy: boolean;
    readonly restrictPublicBuckets: boolean;
}

/**
 * Why a public mirror cannot work in this account, or undefined. An account-wide Block Public
 * Access overrides the bucket's own: `BlockPublicPolicy` makes S3 refuse the bucket policy that
 * grants anonymous reads, `RestrictPublicBuckets` makes S3 ignore it. (Its ACL settings do not
 * matter: the bucket has no ACLs.)
 */
export function accountBlockProblem(accountId: string, block: AccountPublicAccessBlock | undefined): string | undefined {
    const blocking = block === undefined ? [] : [...(block.blockPublicPolicy ? ["BlockPublicPolicy"] : []), ...(block.restrictPublicBuckets ? ["RestrictPublicBuckets"] : [])];
    if (blocking.length === 0) {
        return undefined;
    }
    return (
        `mirror.public is true, but AWS account ${accountId} has S3 Block Public Access on for the whole account (${blocking.join(", ")}), ` +
        "which overrides the bucket's own and keeps anonymous readers out; expected it off for the account " +
        `(aws s3control put-public-access-block --account-id ${accountId} --public-access-block-configuration ` +
        "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=false,RestrictPublicBuckets=false), or mirror.public: false"
    );
}

/**
 * Whether a failed lookup of the account's Block Public Access means "none is set". The AWS
 * provider's `aws_s3_account_public_access_block` data source fails with
 * `reading S3 Account Public Access Block (ACCOUNT): couldn't find resource` when S3 answers
 * NoSuchPublicAccessBlockConfiguration; any other failure is an error to report.
 */
export function accountBlockFoundNone(message: string, accountId: string): boolean {
    return message.includes(`reading S3 Account Public Access Block (${accountId}): couldn't find resource`);
}

/** Waits before each retry of the bucket policy, in seconds: about a minute in all. */
export const POLICY_RETRY_DELAYS = [2, 4, 8, 16, 30] as const;

/**
 * How long to wait before putting the bucket policy again, or undefined to give up. S3 answers
 * AccessDenied to a public policy while the bucket's public access block still blocks public
 * policies: a new bucket starts with every block on, and a change of the block takes effect a
 * moment after it is accepted; the AWS provider retries neither. `errors` are the failures so
 * far, newest first; only that refusal is retried, within {@link POLICY_RETRY_DELAYS}.
 */
export function policyRetryDelay(errors: readonly string[], delays: readonly number[] = POLICY_RETRY_DELAYS): number | undefined {
    const newest = errors[0] ?? "";
    if (!/PutBucketPolicy/.test(newest) || !/AccessDenied/.test(newest)) {
        return undefined;
    }
    return delays[errors.length - 1];
}

/** The reason given when the retries are used up. */
export function policyRetryGiveUp(bucket: string, delays: readonly number[] = POLICY_RETRY_DELAYS): string {
    const total = delays.reduce((sum, delay) => sum + delay, 0);
    return (
        `S3 still refuses the public bucket policy of ${bucket} after ${delays.length} retries over ${total}s: ` +
        "the bucket's public access block (BlockPublicPolicy=false) has not taken effect, or an account-level or organisation-level " +
        "Block Public Access keeps public policies out; check aws s3api get-public-access-block --bucket " +
        `${bucket} and aws s3control get-public-access-block, then run pulumi up again`
    );
}
