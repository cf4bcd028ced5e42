import { describe, expect, it } from "vitest";
import { parseAddress } from "../../components/formats/addresses";
import { cronRule } from "../../components/formats/cron";
import { bucketName } from "../../components/formats/names";
import { absolutePathRule } from "../../components/formats/paths";
import { secretLikeness } from "../../components/formats/secretLike";
import { urlProblem } from "../../components/formats/urls";
import { ATPROTO_KEY, HOST_KEY } from "../support/config";

describe("secret-looking values", () => {
    it.each([
        ["-----BEGIN OPENSSH PRIVATE KEY-----", "a private key"],
        ["b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ", "a private key"],
        ["ghp_R4nd0mT0kenV4lueF0rC0rpusTests1234", "a GitHub token"],
        ["github_pat_11ABCDEFG0123456789_abcdef", "a GitHub token"],
        ["AKIAIOSFODNN7EXAMPLE", "an AWS access key"],
        ["eyJhbGciOiJIUzI1NiJ9.eyJqdGkiOiJ4In0.sig", "a token"],
        ["https://user:pw@cache.example.org", "a URL with credentials"],
        ["https://cache.example.org/?token=x", "a URL with credentials"],
        [`k-1:${Buffer.alloc(64, 7).toString("base64")}`, "a Nix signing key"],
        ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "a key or token"],
    ])("describes %j as %s", (value, what) => {
        expect(secretLikeness(value)).toBe(what);
    });

    it.each([ATPROTO_KEY, HOST_KEY, "0".repeat(40), "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0", "https://cache.example.org/atproto", "builder-1.example.org", "/etc/nix"])(
        "prints the public value %j",
        (value) => {
            expect(secretLikeness(value)).toBeUndefined();
        },
    );
});

describe("value formats", () => {
    it("parses addresses as SSH and URLs do, refusing what the URL parser would reinterpret", () => {
        expect(parseAddress("203.0.113.10")).toEqual({ kind: "ipv4", address: "203.0.113.10" });
        expect(parseAddress("2001:db8::1")).toEqual({ kind: "ipv6", address: "2001:db8::1" });
        expect(parseAddress("builder.example.org")).toEqual({ kind: "dns", address: "builder.example.org" });
        for (const bad of ["127.1", "0x7f.0.0.1", "1.2.3.256", "a_b", "[::1]", "fe80::1%eth0", "a..b", ""]) {
            expect(parseAddress(bad), bad).toHaveProperty("error");
        }
    });

    it("takes URLs per use", () => {
        const cache = { schemes: ["https", "http", "file"] as const, path: true };
        expect(urlProblem("https://cache.example.org/a/b", cache)).toBeUndefined();
        expect(urlProblem("http://[2001:db8::1]:8080", cache)).toBeUndefined();
        expect(urlProblem("file:///var/cache/nix", cache)).toBeUndefined();
        expect(urlProblem("https://cache.example.org/a", { schemes: ["https"], path: false })).toBeDefined();
        expect(urlProblem("file:///var/cache/nix", { schemes: ["https", "http"], path: true })).toBeDefined();
    });

    it("takes normalised absolute paths only", () => {
        expect(absolutePathRule("/etc/nix")).toBeUndefined();
        expect(absolutePathRule("/")).toBeUndefined();
        for (const bad of ["/etc/../x", "etc", "/etc/", "/etc//nix", "/a/./b"]) {
            expect(absolutePathRule(bad), bad).toBeDefined();
        }
    });

    it("takes S3 bucket names by AWS's rules", () => {
        expect(bucketName("atproto-nix-cache")).toBeUndefined();
        expect(bucketName("xn--x")).toMatch(/not starting with "xn--" \(reserved by AWS\)/);
        expect(bucketName("x-s3alias")).toMatch(/not ending with "-s3alias"/);
    });

    it("takes GitHub's cron: ranges, names, steps and lists, within each field's bounds", () => {
        for (const ok of ["51 2 * * *", "*/5 * * * *", "0 9-17/2 * JAN-MAR mon,wed,FRI", "59 23 31 12 6", "0 0 1,15 * SUN"]) {
            expect(cronRule(ok), ok).toBeUndefined();
        }
        for (const bad of ["60 * * * *", "* * * * 7", "0 0 0 * *", "5-1 * * * *", "*/0 * * * *", "@daily", "0 2 * *"]) {
            expect(cronRule(bad), bad).toBeDefined();
        }
    });
});
