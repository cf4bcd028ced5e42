/** One statement of an IAM or bucket policy, in the key order AWS documents. */
export interface PolicyStatement {
    /** A readable id, unique in the document. */
    readonly Sid: string;
    /** `Allow` or `Deny`. */
    readonly Effect: "Allow" | "Deny";
    /** Who: `*` (anyone, including anonymous) or a federated identity provider. Bucket and trust policies only. */
    readonly Principal?: "*" | { readonly Federated: string };
    /** The actions, e.g. `s3:GetObject`. */
    readonly Action: string | readonly string[];
    /** The ARNs it applies to; trust policies have none. */
    readonly Resource?: string | readonly string[];
    /** Conditions, by operator then key. */
    readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** An IAM policy document (identity, resource or trust policy). */
export interface PolicyDocument {
    /** The policy language version. */
    readonly Version: "2012-10-17";
    /** The statements, evaluated together (an explicit Deny wins). */
    readonly Statement: readonly PolicyStatement[];
}

/** The current policy language version (the only one that supports policy variables). */
export const POLICY_VERSION = "2012-10-17";

/**
 * The exact text of a policy, as `render` writes it and the resources receive it: one
 * serialisation, so the reviewed file is byte-for-byte what is applied. AWS ignores the
 * whitespace when it checks a policy's size.
 */
export function renderPolicy(document: PolicyDocument): string {
    return `${JSON.stringify(document, null, 2)}\n`;
}
