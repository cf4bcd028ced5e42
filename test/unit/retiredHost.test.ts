import { describe, expect, it } from "vitest";
import { retiredCommandOptions, retiredLeftovers, retiredWarning } from "../../components/hosts/retiredHost";

describe("a retired host", () => {
    it("keeps every input of its commands as state has them, and leaves state without running their delete", () => {
        const options = retiredCommandOptions();
        expect(options.retainOnDelete).toBe(true);
        expect(options.ignoreChanges).toEqual(expect.arrayContaining(["connection", "triggers", "create", "update", "delete", "stdin"]));
    });

    it("says what stays on it, by kind, the netrc line only for a private cache", () => {
        expect(retiredLeftovers({ kind: "nix", nixConfDir: "/etc/nix" }, true)).toEqual([
            "/etc/nix/nix-cache.conf",
            "the include lines in /etc/nix/nix.conf",
            "/etc/nix/nix-cache.backup",
            "the cache's line in /etc/nix/netrc",
        ]);
        expect(retiredLeftovers({ kind: "user", nixConfDir: "/etc/nix" }, false)[0]).toBe("~/.config/nix/nix-cache.conf");
        expect(retiredLeftovers({ kind: "nixos", nixConfDir: "/etc/nix" }, false)).toEqual(["the cachix modules under /etc/nixos and their import", "/etc/nixos/.nix-cache.backup"]);
        expect(retiredWarning({ name: "old", kind: "nix", nixConfDir: "/etc/nix" }, false)).toMatch(
            /^host old is retired: nix-cache does not connect to it, .* Left on it: \/etc\/nix\/nix-cache\.conf, /,
        );
    });
});
