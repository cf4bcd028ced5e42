/**
 * What private keys, tokens and credentials look like, so that a message describes such a
 * value instead of printing it, whichever field it was pasted into: messages end up in CI logs
 * and tickets.
 */

const PUBLIC_NIX_KEY_BYTES = 32;
const SECRET_NIX_KEY_BYTES = 64;

/** What `text` looks like when it must not be printed (e.g. "a private key"), else undefined. */
export function secretLikeness(text: string): string | undefined {
    if (/PRIVATE KEY|-----BEGIN|b3BlbnNzaC1rZXktdjE/.test(text)) {
        // b3BlbnNzaC1rZXktdjE is "openssh-key-v1", the start of an OpenSSH private key's body.
        return "a private key";
    }
    if (/(gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{16,})/.test(text)) {
        return "a GitHub token";
    }
    if (/(AKIA|ASIA)[A-Z0-9]{16}/.test(text)) {
        return "an AWS access key";
    }
    if (/eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}/.test(text)) {
        return "a token";
    }
    if (/:\/\/[^/\s?#]*@/.test(text) || /[?&;](password|passwd|pass|token|secret|key|access[-_]?key|secret[-_]?key|signature|sig|x-amz-[a-z-]+)=/i.test(text)) {
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
