import type * as NodeCrypto from "crypto";

/** A Nix binary-cache signing key pair in Nix's text formats. */
export interface NixSigningKeyPair {
    /** `NAME:base64(32-byte seed ‖ 32-byte public key)`, what `secret-key=` and `--key-file` read. */
    readonly secretKey: string;
    /** `NAME:base64(32-byte public key)`, what `trusted-public-keys` lists. */
    readonly publicKey: string;
}

const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Node's `crypto`, loaded where it is used: `generateNixSigningKey` is serialised into the state
 * with the key's dynamic provider, and a `require` inside a function is what the serialiser
 * carries over as is (a module object captured from outside would be copied member by member).
 */
function nodeCrypto(): typeof NodeCrypto {
    return require("crypto");
}
const ED25519_BYTES = 32;
// DER prefix of a PKCS#8 Ed25519 private key, followed by the 32-byte seed (RFC 8410).
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/**
 * Generates an Ed25519 key pair for a Nix binary cache, as `nix-store --generate-binary-cache-key`
 * would. Nix's secret key is libsodium's 64-byte form: the seed followed by the public key.
 */
export function generateNixSigningKey(keyName: string): NixSigningKeyPair {
    if (!KEY_NAME.test(keyName)) {
        throw new Error(`generateNixSigningKey: key name ${JSON.stringify(keyName)} must be letters, digits, '.', '_' or '-'`);
    }
    const { privateKey } = nodeCrypto().generateKeyPairSync("ed25519");
    const jwk = privateKey.export({ format: "jwk" });
    const seed = Buffer.from(String(jwk.d), "base64url");
    const publicKey = Buffer.from(String(jwk.x), "base64url");
    return {
        secretKey: `${keyName}:${Buffer.concat([seed, publicKey]).toString("base64")}`,
        publicKey: `${keyName}:${publicKey.toString("base64")}`,
    };
}

/**
 * The public key of a Nix secret key, computed from its seed (not copied from its second half),
 * so it also checks a key made elsewhere. Errors never include the key's material.
 */
export function nixPublicKeyOf(secretKey: string): string {
    const colon = secretKey.indexOf(":");
    const name = secretKey.slice(0, Math.max(colon, 0));
    const bytes = Buffer.from(secretKey.slice(colon + 1), "base64");
    if (colon <= 0 || !KEY_NAME.test(name) || bytes.length !== 2 * ED25519_BYTES) {
        throw new Error("nixPublicKeyOf: expected a Nix secret key NAME:base64 of 64 bytes");
    }
    const crypto = nodeCrypto();
    const privateKey = crypto.createPrivateKey({
        key: Buffer.concat([PKCS8_ED25519_PREFIX, bytes.subarray(0, ED25519_BYTES)]),
        format: "der",
        type: "pkcs8",
    });
    const jwk = crypto.createPublicKey(privateKey).export({ format: "jwk" });
    return `${name}:${Buffer.from(String(jwk.x), "base64url").toString("base64")}`;
}
