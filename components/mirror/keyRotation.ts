import { MirrorSpec } from "../config/model";

/** One signing key the stack holds for the mirror. */
export interface MirrorKeySlot {
    /** The key's name, the part before the colon. */
    readonly keyName: string;
    /** `current` signs every upload; `previous` is only still trusted, during a rotation. */
    readonly role: "current" | "previous";
    /**
     * Whether Pulumi refuses to delete it. The current key is protected: deleting it (say with
     * `enabled: false`) would leave every path in the bucket signed by a key no one can trust
     * again. The previous key is not, so ending the rotation deletes it.
     */
    readonly protect: boolean;
    /**
     * The key's old resource name (`NAME-signing-key`, before keys were named after their key)
     * is an alias of the oldest key, so an existing stack keeps its key instead of making one.
     */
    readonly legacyAlias: boolean;
}

/**
 * The mirror's keys: the current one and, during a rotation, the previous one. Each key is its
 * own resource named after the key, so starting a rotation adds a key instead of replacing one.
 */
export function mirrorKeySlots(mirror: Pick<MirrorSpec, "keyName" | "previousKeyName">): MirrorKeySlot[] {
    const current: MirrorKeySlot = { keyName: mirror.keyName, role: "current", protect: true, legacyAlias: mirror.previousKeyName === undefined };
    return mirror.previousKeyName === undefined
        ? [current]
        : [current, { keyName: mirror.previousKeyName, role: "previous", protect: false, legacyAlias: true }];
}

/** The resource name of a key of the mirror component `name`. */
export function mirrorKeyResourceName(name: string, slot: Pick<MirrorKeySlot, "keyName">): string {
    return `${name}-signing-key-${slot.keyName}`;
}

/** Whether a rotation is under way: both keys trusted, and CI re-signs the bucket. */
export function isRotating(mirror: Pick<MirrorSpec, "previousKeyName">): boolean {
    return mirror.previousKeyName !== undefined;
}
