import { describe, expect, it } from "vitest";
import { loadStackModel } from "../../components/config/load";
import { identityArtifacts } from "../../components/identity/identityArtifacts";
import { trustedCaches } from "../../components/config/trustedCaches";
import { secretPlaceholder } from "../../components/render/artifact";
import { renderNetrc } from "../../components/render/netrc";
import { renderNixConfLines } from "../../components/render/nixConf";
import { renderCachixLayout, renderNixosModule } from "../../components/render/nixosModule";
import { nixString } from "../../components/render/nixString";
import { ATPROTO_KEY, MINIMAL, rawConfig } from "../support/config";

const NIXOS_ORG_KEY = "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=";
const COMMUNITY_KEY = "nix-community.cachix.org-1:mB9FSh9qf2dCimDSUo8Zy7bkq5CX+/rkCWyvRCYg3Fs=";
const model = (values: Record<string, unknown> = {}) => loadStackModel(rawConfig({ ...MINIMAL, ...values }), { mode: "render" });

describe("trusted caches", () => {
    it("puts cache.nixos.org first, then the org's cache, then extras", () => {
        const trusted = trustedCaches(model({ extraCaches: [{ name: "nix-community", publicKeys: [COMMUNITY_KEY] }] }));
        expect(trusted.substituters).toEqual(["https://cache.nixos.org", "https://atproto.cachix.org", "https://nix-community.cachix.org"]);
        expect(trusted.trustedPublicKeys).toEqual([NIXOS_ORG_KEY, ATPROTO_KEY, COMMUNITY_KEY]);
    });

    it("leaves cache.nixos.org out when asked", () => {
        expect(trustedCaches(model({ useCacheNixosOrg: false })).substituters).toEqual(["https://atproto.cachix.org"]);
    });

    it("keeps a cache listed twice once, with the union of its keys, in first-seen order", () => {
        const other = "cache.nixos.org-2:mB9FSh9qf2dCimDSUo8Zy7bkq5CX+/rkCWyvRCYg3Fs=";
        const trusted = trustedCaches(model({ extraCaches: [{ url: "https://cache.nixos.org/", publicKeys: [NIXOS_ORG_KEY, other] }] }));
        expect(trusted.substituters).toEqual(["https://cache.nixos.org", "https://atproto.cachix.org"]);
        expect(trusted.trustedPublicKeys).toEqual([NIXOS_ORG_KEY, other, ATPROTO_KEY]);
    });

    it("adds deploy-time caches last", () => {
        const mirror = { url: "https://mirror.example.org", publicKeys: ["atproto-mirror-1:mB9FSh9qf2dCimDSUo8Zy7bkq5CX+/rkCWyvRCYg3Fs="] };
        expect(trustedCaches(model(), [mirror]).substituters.at(-1)).toBe(mirror.url);
    });
});

describe("nix.conf lines", () => {
    it("are exactly the guide's non-NixOS lines for the atproto cache", () => {
        expect(renderNixConfLines(trustedCaches(model()))).toBe(
            "substituters = https://cache.nixos.org https://atproto.cachix.org\n" +
                "trusted-public-keys = cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY= " +
                "atproto.cachix.org-1:mgH0q9dt3ZI9puHEfIGDnkRBfT80I3vfEh4Wda2B0rk=\n",
        );
    });
});

describe("NixOS module", () => {
    it("sets the guide's nix.settings lists", () => {
        expect(renderNixosModule(trustedCaches(model()))).toBe(
            [
                "# Managed by nix-cache: changes here are overwritten on the next `pulumi up`.",
                "{",
                "  nix.settings.substituters = [",
                '    "https://cache.nixos.org"',
                '    "https://atproto.cachix.org"',
                "  ];",
                "  nix.settings.trusted-public-keys = [",
                '    "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY="',
                '    "atproto.cachix.org-1:mgH0q9dt3ZI9puHEfIGDnkRBfT80I3vfEh4Wda2B0rk="',
                "  ];",
                "}",
                "",
            ].join("\n"),
        );
    });

    it("uses the `cachix use` layout: a glue file and one file per cache, named as cachix names them", () => {
        const files = renderCachixLayout(trustedCaches(model({ extraCaches: [{ url: "https://cache.example.org:8443/x", publicKeys: [COMMUNITY_KEY.replace("nix-community.cachix.org", "example")] }] })));
        expect(files.map((f) => f.path)).toEqual(["cachix.nix", "cachix/atproto.nix", "cachix/cache-example-org-8443-x.nix"]);
        expect(files[0].content).toContain("builtins.readDir dir");
        expect(files[0].content).toContain('nix.settings.substituters = [ "https://cache.nixos.org" ];');
        expect(files[1].content).toContain('nix.settings.substituters = [ "https://atproto.cachix.org" ];');
        expect(files[1].content).toContain(`"${ATPROTO_KEY}"`);
    });

    it("names each cache's file uniquely and stably: host, port and path; a file:// store by its path", () => {
        const key = (name: string) => COMMUNITY_KEY.replace("nix-community.cachix.org", name);
        const extraCaches = [
            { url: "https://cache.example.org/a", publicKeys: [key("a")] },
            { url: "https://cache.example.org/b", publicKeys: [key("b")] },
            { url: "file:///srv/nix-cache", publicKeys: [key("c")] },
        ];
        const files = renderCachixLayout(trustedCaches(model({ useCacheNixosOrg: false, extraCaches })));
        expect(files.map((f) => f.path)).toEqual(["cachix.nix", "cachix/atproto.nix", "cachix/cache-example-org-a.nix", "cachix/cache-example-org-b.nix", "cachix/file-srv-nix-cache.nix"]);
        expect(renderCachixLayout(trustedCaches(model({ useCacheNixosOrg: false, extraCaches })))).toEqual(files);
    });

    it("refuses two caches that would share a file, naming both", () => {
        const key = COMMUNITY_KEY.replace("nix-community.cachix.org", "x");
        const extraCaches = [
            { url: "https://cache.example.org/a-b", publicKeys: [key] },
            { url: "https://cache.example.org/a/b", publicKeys: [key] },
        ];
        expect(() => renderCachixLayout(trustedCaches(model({ extraCaches })))).toThrow(
            "caches https://cache.example.org/a-b and https://cache.example.org/a/b would both be written to /etc/nixos/cachix/cache-example-org-a-b.nix on NixOS hosts; give one of them another URL (or Cachix name)",
        );
    });

    it("leaves cache.nixos.org out of the glue when it is not trusted", () => {
        const [glue] = renderCachixLayout(trustedCaches(model({ useCacheNixosOrg: false })));
        expect(glue).toMatchObject({ path: "cachix.nix" });
        expect(glue.content).not.toContain("cache.nixos.org");
    });

    it("escapes what would end or interpolate a Nix string", () => {
        expect(nixString('a"b\\c${d}')).toBe('"a\\"b\\\\c\\${d}"');
    });
});

describe("netrc and identity artifacts", () => {
    it("writes the cache host and the token", () => {
        expect(renderNetrc({ url: "https://atproto.cachix.org" }, "T0KEN")).toBe("machine atproto.cachix.org password T0KEN\n");
    });

    it("lists nix.conf and the NixOS module, and a placeholder netrc for private caches only", () => {
        expect(identityArtifacts(model(), secretPlaceholder, []).map((a) => a.kind)).toEqual(["nix-conf", "nixos-module"]);
        const privateModel = model({ cache: { ...MINIMAL.cache, private: true } });
        const netrc = identityArtifacts(privateModel, secretPlaceholder, []).find((a) => a.kind === "netrc");
        expect(netrc?.content).toBe("machine atproto.cachix.org password <secret:cachixAuthToken>\n");
    });
});
