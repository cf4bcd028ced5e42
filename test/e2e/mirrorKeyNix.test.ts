import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateNixSigningKey, nixPublicKeyOf } from "../../components/formats/signingKey";
import { IsolatedNix, isolatedNix } from "../support/nixStorePaths";
import { requireTools } from "../support/tools";

const tools = requireTools(["nix", "nix-build", "nix-store"], "install Debian's nix-bin (bash scripts/system-deps.sh)");

describe.skipIf(tools.skip)("the mirror's generated key, checked by real Nix (Debian nix-bin)", () => {
    let nix: IsolatedNix;
    beforeAll(() => {
        nix = isolatedNix();
    });
    afterAll(() => nix?.cleanup());

    const verify = (storePath: string, publicKey: string) => () =>
        nix.run("nix", ["store", "verify", "--no-contents", "--sigs-needed", "1", "--trusted-public-keys", publicKey, storePath]);

    it("signs a store path that Nix accepts with the generated public key, and only with it", () => {
        const key = generateNixSigningKey("mirror-e2e-1");
        const keyFile = path.join(nix.dir, "mirror-e2e-1.sec");
        fs.writeFileSync(keyFile, key.secretKey, { mode: 0o600 });
        const storePath = nix.buildTinyPath("mirror-key");
        // Unsigned, the path is refused even with the right key trusted.
        expect(verify(storePath, key.publicKey)).toThrow();
        nix.run("nix", ["store", "sign", "--key-file", keyFile, storePath]);
        expect(verify(storePath, key.publicKey)).not.toThrow();
        expect(verify(storePath, generateNixSigningKey("mirror-e2e-1").publicKey)).toThrow();
        expect(verify(storePath, generateNixSigningKey("other-name").publicKey)).toThrow();
    });

    it("reads a key Nix generated itself the same way: the formats are Nix's", () => {
        const secretFile = path.join(nix.dir, "nix-made.sec");
        const publicFile = path.join(nix.dir, "nix-made.pub");
        nix.run("nix-store", ["--generate-binary-cache-key", "nix-made-1", secretFile, publicFile]);
        const secretKey = fs.readFileSync(secretFile, "utf8").trim();
        expect(nixPublicKeyOf(secretKey)).toBe(fs.readFileSync(publicFile, "utf8").trim());
        expect(Buffer.from(secretKey.split(":")[1], "base64")).toHaveLength(64);
    });
});
