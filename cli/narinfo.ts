import { createPublicKey, verify } from "crypto";
import { parseNixPublicKey } from "../components/identity/nixKeys";

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
    return `1;${info.storePath};${info.narHash};${info.narSize};${refs.join(",")}`;
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
