import * as pulumi from "@pulumi/pulumi";
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { parseNixPublicKey } from "../../components/formats/nixKeys";
import { generateNixSigningKey, nixPublicKeyOf } from "../../components/formats/signingKey";
import { nixSigningKeyProvider } from "../../components/mirror/signingKeyResource";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "mirror-key-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe("generateNixSigningKey", () => {
    it("writes Nix's formats: NAME:base64 of a 64-byte secret (seed then public key) and a 32-byte public key", () => {
        const pair = generateNixSigningKey("atproto-mirror-1");
        const [secretName, secretBase64] = pair.secretKey.split(":");
        const [publicName, publicBase64] = pair.publicKey.split(":");
        expect([secretName, publicName]).toEqual(["atproto-mirror-1", "atproto-mirror-1"]);
        expect(secretBase64).toHaveLength(88);
        expect(publicBase64).toHaveLength(44);
        const secret = Buffer.from(secretBase64, "base64");
        expect(secret).toHaveLength(64);
        expect(secret.subarray(32).toString("base64")).toBe(publicBase64);
        expect(parseNixPublicKey(pair.publicKey)).toEqual({ name: "atproto-mirror-1", base64: publicBase64 });
    });

    it("makes a new key every time", () => {
        expect(generateNixSigningKey("k").secretKey).not.toBe(generateNixSigningKey("k").secretKey);
    });

    it("its seed signs what its public key verifies (Ed25519, as Nix signs narinfo fingerprints)", () => {
        const pair = generateNixSigningKey("k-1");
        const seed = Buffer.from(pair.secretKey.split(":")[1], "base64").subarray(0, 32);
        const privateKey = crypto.createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]), format: "der", type: "pkcs8" });
        const publicKey = crypto.createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), Buffer.from(pair.publicKey.split(":")[1], "base64")]), format: "der", type: "spki" });
        const message = Buffer.from("1;/nix/store/x;sha256:y;1;");
        expect(crypto.verify(null, message, publicKey, crypto.sign(null, message, privateKey))).toBe(true);
    });

    it("refuses a key name Nix could not parse", () => {
        expect(() => generateNixSigningKey("bad:name")).toThrow(/key name/);
        expect(() => generateNixSigningKey("")).toThrow(/key name/);
    });
});

describe("nixPublicKeyOf", () => {
    it("derives the public key from the seed alone", () => {
        const pair = generateNixSigningKey("derive-1");
        expect(nixPublicKeyOf(pair.secretKey)).toBe(pair.publicKey);
        // A forged second half does not fool it.
        const other = generateNixSigningKey("derive-1");
        const mixed = Buffer.concat([
            Buffer.from(pair.secretKey.split(":")[1], "base64").subarray(0, 32),
            Buffer.from(other.publicKey.split(":")[1], "base64"),
        ]);
        expect(nixPublicKeyOf(`derive-1:${mixed.toString("base64")}`)).toBe(pair.publicKey);
    });

    it("fails without echoing the key", () => {
        const secret = "name:" + Buffer.alloc(10, 7).toString("base64");
        expect(() => nixPublicKeyOf(secret)).toThrow(/expected a Nix secret key/);
        try {
            nixPublicKeyOf(secret);
        } catch (error) {
            expect(String(error)).not.toContain(secret.split(":")[1]);
        }
    });
});

describe("the signing key's dynamic provider", () => {
    it("creates a pair once and keeps it: only a new keyName replaces it", async () => {
        const created = await nixSigningKeyProvider.create({ keyName: "atproto-mirror-1" });
        const outs = created.outs!;
        expect(created.id).toBe("atproto-mirror-1");
        expect(nixPublicKeyOf(outs.secretKey)).toBe(outs.publicKey);
        expect(await nixSigningKeyProvider.diff!(created.id, outs, { keyName: "atproto-mirror-1" })).toEqual({ changes: false, replaces: [] });
        expect(await nixSigningKeyProvider.diff!(created.id, outs, { keyName: "atproto-mirror-2" })).toEqual({ changes: true, replaces: ["keyName"] });
        expect((await nixSigningKeyProvider.update!(created.id, outs, { keyName: "atproto-mirror-1" })).outs).toEqual(outs);
    });

    it("still works once serialised, as Pulumi's dynamic-provider host runs it", async () => {
        const serialized = await pulumi.runtime.serializeFunction(() => nixSigningKeyProvider);
        fs.writeFileSync(path.join(work, "provider.js"), serialized.text);
        fs.writeFileSync(
            path.join(work, "run.js"),
            'require("./provider.js").handler().create({ keyName: "serialized-1" }).then((r) => process.stdout.write(JSON.stringify(r)));\n',
        );
        const result = JSON.parse(execFileSync(process.execPath, [path.join(work, "run.js")], { encoding: "utf8", env: {} })) as {
            id: string;
            outs: { keyName: string; publicKey: string; secretKey: string };
        };
        expect(result.id).toBe("serialized-1");
        expect(result.outs.keyName).toBe("serialized-1");
        expect(nixPublicKeyOf(result.outs.secretKey)).toBe(result.outs.publicKey);
        // The closure is small: the key generator and Node's crypto, nothing of Pulumi or AWS.
        expect(serialized.text).not.toMatch(/@pulumi|aws-sdk/);
        expect(serialized.text.length).toBeLessThan(20_000);
    });
});
