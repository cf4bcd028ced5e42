import { createPrivateKey, generateKeyPairSync } from "crypto";
import { describe, expect, it } from "vitest";
import { DEFAULT_TUNING, pkcs1Pem, providerTuning } from "../../components/github/provider";

describe("the GitHub provider's settings", () => {
    it("providerTuning: the stack's github: keys over the defaults (no write pause, parallel requests)", () => {
        expect(providerTuning({})).toEqual({ writeDelayMs: 0, readDelayMs: 0, parallelRequests: true });
        expect(providerTuning({})).toEqual(DEFAULT_TUNING);
        expect(providerTuning({ writeDelayMs: 1000, parallelRequests: false, maxRetries: 5, retryableErrors: [502, 503], readDelayMs: 10 })).toEqual({
            writeDelayMs: 1000,
            readDelayMs: 10,
            parallelRequests: false,
            maxRetries: 5,
            retryableErrors: [502, 503],
        });
    });

    it("providerTuning: a bad value names the key, the value and what was expected", () => {
        expect(() => providerTuning({ writeDelayMs: -1 })).toThrow("github:writeDelayMs: expected a whole number of 0 or more, got -1");
        expect(() => providerTuning({ maxRetries: "3x" })).toThrow('github:maxRetries: expected a whole number of 0 or more, got "3x"');
        expect(() => providerTuning({ parallelRequests: "yes" })).toThrow('github:parallelRequests: expected true or false, got "yes"');
        expect(() => providerTuning({ retryableErrors: [502, 42] })).toThrow("github:retryableErrors: expected a list of HTTP status codes (100-599), got [502,42]");
    });

    it("pkcs1Pem: a PKCS#8 App key becomes the PKCS#1 key the provider parses; PKCS#1 passes; a one-line key with \\n is read as lines", () => {
        const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
        const pkcs8 = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
        const pkcs1 = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
        expect(pkcs8).toContain("BEGIN PRIVATE KEY");
        expect(pkcs1Pem(pkcs8)).toBe(pkcs1);
        expect(pkcs1Pem(pkcs1)).toBe(pkcs1);
        expect(pkcs1Pem(pkcs8.trim().split("\n").join("\\n"))).toBe(pkcs1);
        expect(createPrivateKey(pkcs1Pem(pkcs8)).asymmetricKeyType).toBe("rsa");
    });

    it("pkcs1Pem: a key that is not an RSA key is refused without showing it", () => {
        const { privateKey } = generateKeyPairSync("ed25519");
        const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
        expect(() => pkcs1Pem(pem)).toThrow("github:appAuth.pemFile: a ed25519 key; GitHub App keys are RSA");
        const broken = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        expect(() => pkcs1Pem(broken)).toThrow(/does not parse/);
        try {
            pkcs1Pem(broken);
        } catch (error) {
            expect(String(error)).not.toContain("AAAA");
        }
    });
});
