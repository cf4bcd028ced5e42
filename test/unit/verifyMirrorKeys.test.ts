import { describe, expect, it } from "vitest";
import { verifiedAddedCaches } from "../../cli/verify";
import { loadStackModel } from "../../components/config/load";
import { ATPROTO_KEY, HOST_KEY, rawConfig } from "../support/config";

// `npm run verify` on a stack with an S3 mirror: the mirror's keys live only in the stack's
// state, so they are passed in, and checked against the stack file before any host is asked.

const key = (name: string, fill: number) => `${name}:${Buffer.alloc(32, fill).toString("base64")}`;
const HOSTS = [{ name: "builder", kind: "nix", address: "10.0.0.5", hostKey: HOST_KEY }];

function model(mirror?: Record<string, unknown>) {
    return loadStackModel(rawConfig({ cache: { name: "atproto", publicKeys: [ATPROTO_KEY] }, hosts: HOSTS, ...(mirror ? { mirror } : {}) }), { mode: "render" });
}

const MIRROR = { bucket: "atproto-cache", endpoint: "http://10.0.0.9:9000" };

describe("verify's mirror keys", () => {
    it("adds the mirror, with the given keys in apply's order, to what hosts are checked for", () => {
        expect(verifiedAddedCaches("prod", model(MIRROR), { mirrorKey: key("atproto-mirror-1", 1) })).toEqual([
            { url: "http://10.0.0.9:9000/atproto-cache?priority=50", publicKeys: [key("atproto-mirror-1", 1)] },
        ]);
        const rotating = model({ ...MIRROR, keyName: "atproto-mirror-2", previousKeyName: "atproto-mirror-1" });
        expect(verifiedAddedCaches("prod", rotating, { mirrorKey: key("atproto-mirror-2", 2), mirrorPreviousKey: key("atproto-mirror-1", 1) })[0].publicKeys).toEqual([
            key("atproto-mirror-2", 2),
            key("atproto-mirror-1", 1),
        ]);
    });

    it("adds nothing for a stack without a mirror, and refuses mirror keys there", () => {
        expect(verifiedAddedCaches("prod", model(), {})).toEqual([]);
        expect(verifiedAddedCaches("prod", model({ ...MIRROR, enabled: false }), {})).toEqual([]);
        expect(() => verifiedAddedCaches("prod", model(), { mirrorKey: key("atproto-mirror-1", 1) })).toThrow(
            "stack prod has no S3 mirror (mirror.enabled is false or unset); --mirror-key not used",
        );
    });

    it("names the missing key and the stack output that holds it", () => {
        expect(() => verifiedAddedCaches("prod", model(MIRROR), {})).toThrow(
            `stack prod has an S3 mirror, whose current key "atproto-mirror-1" is made by pulumi up and kept in the stack's state; ` +
                `pass it with --mirror-key "$(pulumi stack output mirrorPublicKey --stack prod)"`,
        );
        const rotating = model({ ...MIRROR, keyName: "atproto-mirror-2", previousKeyName: "atproto-mirror-1" });
        expect(() => verifiedAddedCaches("prod", rotating, { mirrorKey: key("atproto-mirror-2", 2) })).toThrow(
            /previous key "atproto-mirror-1" .*--mirror-previous-key "\$\(pulumi stack output mirrorPreviousPublicKey --stack prod\)"/,
        );
    });

    it("refuses a malformed key, a key of another name and a previous key outside a rotation", () => {
        expect(() => verifiedAddedCaches("prod", model(MIRROR), { mirrorKey: "atproto-mirror-1" })).toThrow(/^--mirror-key: expected KEYNAME:base64/);
        expect(() => verifiedAddedCaches("prod", model(MIRROR), { mirrorKey: key("atproto-mirror-0", 1) })).toThrow(
            `--mirror-key: the key is named "atproto-mirror-0"; the stack's current mirror key is "atproto-mirror-1"`,
        );
        expect(() => verifiedAddedCaches("prod", model(MIRROR), { mirrorKey: key("atproto-mirror-1", 1), mirrorPreviousKey: key("atproto-mirror-0", 1) })).toThrow(
            "stack prod: --mirror-previous-key is only for a key rotation (mirror.previousKeyName is unset)",
        );
    });
});
