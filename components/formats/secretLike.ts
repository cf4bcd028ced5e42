/**
 * What private keys, tokens and credentials look like. Two uses: a message describes such a
 * value instead of printing it, whichever field it was pasted into (messages end up in CI logs
 * and tickets); and no value that reaches a rendered file (a workflow committed to GitHub, a
 * host's nix.conf or script, a bucket policy, a stack output) may hold a credential at all.
 */

const PUBLIC_NIX_KEY_BYTES = 32;
const SECRET_NIX_KEY_BYTES = 64;

/** Credential shapes found anywhere in a text, in the order they are tried. */
const CREDENTIALS: readonly { readonly what: string; readonly found: (text: string) => boolean }[] = [
    // b3BlbnNzaC1rZXktdjE is "openssh-key-v1", the start of an OpenSSH private key's body.
    { what: "a private key", found: (t) => /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|b3BlbnNzaC1rZXktdjE/.test(t) },
    { what: "a GitHub token", found: (t) => /gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{16,}/.test(t) },
    { what: "an AWS access key", found: (t) => /(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/.test(t) },
    // A JWT (Cachix tokens are JWTs): base64url header `{"...`, a dot, a payload.
    { what: "a token", found: (t) => /eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}/.test(t) },
    { what: "a URL with credentials", found: hasUrlCredentials },
    // `NAME:BASE64` of 64 bytes (86 base64 characters and `==`) is a Nix secret key.
    { what: "a Nix signing key", found: (t) => /[A-Za-z0-9._-]+:[A-Za-z0-9+/]{86}==(?![A-Za-z0-9+/=])/.test(t) },
];

/**
 * The kind of credential `text` holds anywhere in it (e.g. "a GitHub token"), else undefined:
 * private keys (PEM, OpenSSH), GitHub tokens, AWS access keys, JWTs such as Cachix tokens, URLs
 * with a password or a token for user, and Nix secret keys. Only shapes nothing else has, so a
 * value that matches is refused wherever it would be written.
 */
export function credentialShape(text: string): string | undefined {
    return CREDENTIALS.find((c) => c.found(text))?.what;
}

/**
 * A URL whose user part is a credential: one with a password (`user:pass@`), or any user part
 * of a URL other than SSH's (`https://TOKEN@host`); `ssh://git@host` names a login, no secret.
 */
function hasUrlCredentials(text: string): boolean {
    for (const [, scheme, user] of text.matchAll(/([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/\s?#@]*)@/g)) {
        if (user.includes(":") || !/^(git\+)?ssh(-ng)?$/i.test(scheme)) {
            return true;
        }
    }
    return /[?&;](password|passwd|token|access_token|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token)=/i.test(text);
}

/** What `text` looks like when it must not be printed (e.g. "a private key"), else undefined. */
export function secretLikeness(text: string): string | undefined {
    const credential = credentialShape(text);
    if (credential !== undefined) {
        return credential;
    }
    if (/PRIVATE KEY|-----BEGIN/.test(text)) {
        return "a private key";
    }
    if (/(AKIA|ASIA)[A-Z0-9]{16}/.test(text)) {
        return "an AWS access key";
    }
    if (/:\/\/[^/\s?#]*@/.test(text) || /[?&;](pass|secret|key|access[-_]?key|secret[-_]?key|x-amz-[a-z-]+)=/i.test(text)) {
        return "a URL with credentials";
    }
    const nixKey = nixKeyLikeness(text);
    if (nixKey !== undefined) {
        return nixKey || undefined;
    }
    return hasLongRandomRun(text) ? "a key or token" : undefined;
}

/** A Nix key `NAME:base64`: a secret key (64 bytes) is hidden, a public key (32 bytes) is not. */
function nixKeyLikeness(text: string): string | undefined {
    const match = /^[A-Za-z0-9._-]+:([A-Za-z0-9+/]+={0,2})$/.exec(text.trim());
    if (!match) {
        return undefined;
    }
    const bytes = Buffer.from(match[1], "base64").length;
    if (bytes === SECRET_NIX_KEY_BYTES) {
        return "a Nix signing key";
    }
    return bytes === PUBLIC_NIX_KEY_BYTES ? "" : undefined;
}

/**
 * A run of 32 or more base64 or URL-safe characters mixing upper case, lower case and digits
 * is what keys and tokens look like; names, paths and hex commit SHAs are not like that.
 * An SSH public key (`ssh-ed25519 AAAA...`) is public and printed as it is.
 */
function hasLongRandomRun(text: string): boolean {
    const withoutPublicKeys = text.replace(/(ssh|ecdsa|sk)-[a-z0-9@.-]+ AAAA[A-Za-z0-9+/]+={0,2}/g, "");
    return (withoutPublicKeys.match(/[A-Za-z0-9+/_=-]{32,}/g) ?? []).some(
        (run) => /[a-z]/.test(run) && /[A-Z]/.test(run) && /[0-9]/.test(run),
    );
}
