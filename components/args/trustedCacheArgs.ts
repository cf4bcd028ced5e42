/** A cache known only at deploy time (the S3 mirror), trusted after the others. Not a stack key: another component makes it. */
export interface TrustedCacheArgs {
    /** Substituter URL. */
    url: string;
    /** Its public keys, `KEYNAME:base64`. */
    publicKeys: string[];
    /** Set when it is a Cachix cache. */
    cachixName?: string;
}
