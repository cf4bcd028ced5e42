import { createPublicKey, verify } from "crypto";
import { parseNixPublicKey } from "../components/formats/nixKeys";

/** What a binary cache says about one store path (`HASH.narinfo`). */
export interface NarInfo {
    readonly storePath: string;
    readonly narHash: string;
    /** Unpacked size in bytes. */
    readonly narSize: number;
    /** Download size in bytes, when the cache says (compressed NAR). */
    readonly fileSize?: number;
    /** Base names of the referenced store paths, as the narinfo lists them. */
    readonly references: string[];
    /** `KEYNAME:base64` signatures. */
    readonly signatures: string[];
}

/** A cache's answer about one path. */
export type LookupResult =
    | { readonly kind: "present"; readonly info: NarInfo }
    | { readonly kind: "absent" }
    /** The cache did not answer usefully (refused, unreachable, unreadable narinfo). */
    | { readonly kind: "error"; readonly reason: string };

/** `/nix/store/HASH-name` → `HASH`, the narinfo's file name without `.narinfo`; undefined if not a store path. */
export function storePathHash(storePath: string): string | undefined {
    return /^\/nix\/store\/([0-9a-df-np-sv-z]{32})-[^/]+$/.exec(storePath)?.[1];
}

/** Parses a narinfo file; undefined when it lacks what a signature covers. */
export function parseNarInfo(text: string): NarInfo | undefined {
    const fields = new Map<string, string[]>();
    for (const line of text.split("\n")) {
        const colon = line.indexOf(": ");
        if (colon > 0) {
            const key = line.slice(0, colon);
            fields.set(key, [...(fields.get(key) ?? []), line.slice(colon + 2).trim()]);
        }
    }
    const one = (key: string) => fields.get(key)?.[0];
    const storePath = one("StorePath");
    const narHash = one("NarHash");
    const narSize = Number(one("NarSize"));
    if (storePath === undefined || narHash === undefined || !Number.isSafeInteger(narSize)) {
        return undefined;
    }
    const fileSize = Number(one("FileSize"));
    return {
        storePath,
        narHash,
        narSize,
        ...(Number.isSafeInteger(fileSize) ? { fileSize } : {}),
        references: (one("References") ?? "").split(" ").filter((r) => r.length > 0),
        signatures: fields.get("Sig") ?? [],
    };
}

/**
 * What Nix signs for a path: `1;STOREPATH;NARHASH;NARSIZE;REFS` with the references as full
 * store paths, comma-separated (libstore's `ValidPathInfo::fingerprint`).
 */
export function narFingerprint(info: Pick<NarInfo, "storePath" | "narHash" | "narSize" | "references">): string {
    const refs = info.references.map((r) => (r.startsWith("/nix/store/") ? r : `/nix/store/${r}`));
    return `1;${info.storePath};${narHashForFingerprint(info.narHash)};${info.narSize};${refs.join(",")}`;
}

// An Ed25519 public key as DER SubjectPublicKeyInfo is this prefix and the 32 raw bytes.
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** The names of the `publicKeys` whose valid signature the path carries (Nix's own check). */
export function trustedSigners(info: NarInfo, publicKeys: readonly string[]): string[] {
    const message = Buffer.from(narFingerprint(info));
    const names: string[] = [];
    for (const key of publicKeys) {
        const parsed = parseNixPublicKey(key);
        if ("error" in parsed) {
            continue;
        }
        const publicKey = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(parsed.base64, "base64")]), format: "der", type: "spki" });
        const signed = info.signatures.some((sig) => {
            const colon = sig.indexOf(":");
            return sig.slice(0, colon) === parsed.name && verify(null, message, publicKey, Buffer.from(sig.slice(colon + 1), "base64"));
        });
        if (signed && !names.includes(parsed.name)) {
            names.push(parsed.name);
        }
    }
    return names;
}

/** The key names the path's signatures claim, valid or not. */
export function signatureNames(info: Pick<NarInfo, "signatures">): string[] {
    return [...new Set(info.signatures.map((sig) => sig.slice(0, Math.max(0, sig.indexOf(":")))))];
}

// Nix's base-32 alphabet (no e, o, u, t), used for store path hashes and `sha256:` NAR hashes.
const NIX32 = "0123456789abcdfghijklmnpqrsvwxyz";

/** Bytes in Nix's base-32, as `nix hash to-base32` writes them (last byte first). */
export function toNix32(bytes: Uint8Array): string {
    const length = Math.ceil((bytes.length * 8) / 5);
    let out = "";
    for (let n = length - 1; n >= 0; n--) {
        const bit = n * 5;
        const i = Math.floor(bit / 8);
        const j = bit % 8;
        const c = (bytes[i] >> j) | (i + 1 < bytes.length ? bytes[i + 1] << (8 - j) : 0);
        out += NIX32[c & 0x1f];
    }
    return out;
}

/**
 * A NAR hash as a signature covers it, `sha256:NIX32`: `nix path-info --json` writes it as SRI
 * (`sha256-BASE64`), a narinfo as `sha256:NIX32` already.
 */
export function narHashForFingerprint(hash: string): string {
    const sri = /^sha256-([A-Za-z0-9+/]+={0,2})$/.exec(hash);
    return sri === null ? hash : `sha256:${toNix32(Buffer.from(sri[1], "base64"))}`;
}
