import { describe, expect, it } from "vitest";
import { optionalPeer } from "../../components/formats/optionalPeer";

describe("optionalPeer", () => {
    it("loads nothing until a property is read, then loads once", () => {
        let loads = 0;
        const pkg = optionalPeer("some-peer", "The part", () => {
            loads += 1;
            return { answer: 42, Thing: class {} };
        });
        expect(loads).toBe(0);
        expect(pkg.answer).toBe(42);
        expect(new pkg.Thing()).toBeInstanceOf(pkg.Thing);
        expect("answer" in pkg).toBe(true);
        expect(loads).toBe(1);
    });

    it("names the missing package and what needs it, and tries again on the next read", () => {
        const pkg = optionalPeer<{ x: number }>("@pulumi/nonexistent-peer", "The S3 mirror", () => require("@pulumi/nonexistent-peer"));
        const message =
            "The S3 mirror needs the package @pulumi/nonexistent-peer, an optional peer dependency of nix-cache that is not installed; install it beside nix-cache (npm install @pulumi/nonexistent-peer)";
        expect(() => pkg.x).toThrow(message);
        expect(() => pkg.x).toThrow(message);
    });

    it("passes on any other failure of the package as it is, such as one of its own missing modules", () => {
        const broken = new Error("boom");
        expect(() => optionalPeer<{ x: number }>("peer", "The part", () => { throw broken; }).x).toThrow(broken);
        const inner = Object.assign(new Error("Cannot find module 'something-else'"), { code: "MODULE_NOT_FOUND" });
        expect(() => optionalPeer<{ x: number }>("peer", "The part", () => { throw inner; }).x).toThrow(inner);
    });
});
