import { describe, expect, it } from "vitest";
import { loadStackModel } from "../../components/config/load";
import { HostSpec } from "../../components/config/model";
import { hostConfDir, INCLUDE_LINES, USER_CONF_DIR_PLACEHOLDER } from "../../components/hosts/layout";
import { hostSubstituterUrl, renderManagedNixConf } from "../../components/hosts/nixConfFragment";
import { nixosHostFiles, renderTrustedUsersModule } from "../../components/hosts/nixosHostFiles";
import { hostPayload } from "../../components/hosts/payload";
import { trustedCaches } from "../../components/config/trustedCaches";
import { ATPROTO_KEY, HOST_KEY, rawConfig } from "../support/config";

const NIXOS_ORG_KEY = "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=";
const COMMUNITY_KEY = "nix-community.cachix.org-1:mB9FSh9qf2dCimDSUo8Zy7bkq5CX+/rkCWyvRCYg3Fs=";

function stack(hosts: Record<string, unknown>[], cache: Record<string, unknown> = {}) {
    return loadStackModel(
        rawConfig(
            {
                cache: { name: "atproto", publicKeys: [ATPROTO_KEY], ...cache },
                extraCaches: [{ name: "nix-community", publicKeys: [COMMUNITY_KEY] }],
                hosts: hosts.map((h, i) => ({ name: `h${i}`, address: `192.0.2.${i + 1}`, hostKey: HOST_KEY, ...h })),
            },
            { cachixAuthToken: "x", sshPrivateKey: "x" },
        ),
        { mode: "apply" },
    );
}

describe("managed nix.conf fragment", () => {
    it("declares only extra-* settings, cache.nixos.org spelled as Nix's default, users when any", () => {
        expect(
            renderManagedNixConf({
                substituters: ["https://cache.nixos.org", "https://atproto.cachix.org"],
                trustedPublicKeys: [NIXOS_ORG_KEY, ATPROTO_KEY],
                trustedUsers: ["ci", "@wheel"],
                userNetrc: false,
            }),
        ).toBe(
            [
                "# nix-cache.conf: managed by nix-cache; changes here are overwritten on the next `pulumi up`.",
                "# Included at the end of nix.conf, so these lists extend the host's own settings.",
                "extra-substituters = https://cache.nixos.org/ https://atproto.cachix.org",
                `extra-trusted-public-keys = ${NIXOS_ORG_KEY} ${ATPROTO_KEY}`,
                "extra-trusted-users = ci @wheel",
                "",
            ].join("\n"),
        );
    });

    it("leaves trusted-users alone when none are declared, and points a user host's netrc-file at its config dir", () => {
        const text = renderManagedNixConf({ substituters: ["https://a.example"], trustedPublicKeys: [ATPROTO_KEY], trustedUsers: [], userNetrc: true });
        expect(text).not.toMatch(/trusted-users/);
        expect(text.trimEnd().split("\n").pop()).toBe(`netrc-file = ${USER_CONF_DIR_PLACEHOLDER}/netrc`);
    });

    it("maps only cache.nixos.org to Nix's spelling", () => {
        expect(hostSubstituterUrl("https://cache.nixos.org")).toBe("https://cache.nixos.org/");
        expect(hostSubstituterUrl("https://cache.nixos.org/")).toBe("https://cache.nixos.org/");
        expect(hostSubstituterUrl("https://atproto.cachix.org")).toBe("https://atproto.cachix.org");
    });

    it("is included from nix.conf by two fixed lines, the include tolerating a missing file", () => {
        expect(INCLUDE_LINES).toEqual(["# Added by nix-cache: the settings in nix-cache.conf extend those above. Removed on destroy.", "!include nix-cache.conf"]);
    });
});

describe("NixOS files", () => {
    it("are the cachix use layout plus a trusted-users module that keeps root", () => {
        const model = stack([{ kind: "nixos" }]);
        const files = nixosHostFiles(trustedCaches(model), ["ci"]);
        expect(files.map((f) => f.path)).toEqual(["cachix.nix", "cachix/atproto.nix", "cachix/nix-community.nix", "cachix/nix-cache.trusted-users.nix"]);
        expect(files[3].content).toBe(
            '# Managed by nix-cache: changes here are overwritten on the next `pulumi up`.\n{\n  nix.settings.trusted-users = [\n    "root"\n    "ci"\n  ];\n}\n',
        );
        expect(nixosHostFiles(trustedCaches(model), []).map((f) => f.path)).not.toContain("cachix/nix-cache.trusted-users.nix");
    });

    it("never lists root twice", () => {
        expect(renderTrustedUsersModule(["root", "ci"]).match(/"root"/g)).toHaveLength(1);
    });
});

describe("host payload", () => {
    it("nix host: the managed file and what verify expects, in trust order", () => {
        const model = stack([{ kind: "nix", trustedUsers: ["ci"] }]);
        const payload = hostPayload(model, model.hosts[0]);
        expect(payload.nixosFiles).toBeUndefined();
        expect(payload.managedConf).toContain("extra-trusted-users = ci\n");
        expect(payload.expected).toEqual({
            substituters: ["https://cache.nixos.org/", "https://atproto.cachix.org", "https://nix-community.cachix.org"],
            trustedPublicKeys: [NIXOS_ORG_KEY, ATPROTO_KEY, COMMUNITY_KEY],
            trustedUsers: ["ci"],
        });
        expect(payload.netrcMachine).toBeUndefined();
    });

    it("user host of a private cache: no trusted users, a netrc-file line, the netrc machine", () => {
        const model = stack([{ kind: "user", user: "dev" }], { private: true });
        const payload = hostPayload(model, model.hosts[0]);
        expect(payload.expected.trustedUsers).toEqual([]);
        expect(payload.managedConf).toContain(`netrc-file = ${USER_CONF_DIR_PLACEHOLDER}/netrc`);
        expect(payload.netrcMachine).toBe("atproto.cachix.org");
    });

    it("nixos host: files instead of a managed file, root among the expected trusted users", () => {
        const model = stack([{ kind: "nixos", trustedUsers: ["ci"] }]);
        const payload = hostPayload(model, model.hosts[0]);
        expect(payload.managedConf).toBeUndefined();
        expect(payload.nixosFiles?.map((f) => f.path)).toContain("cachix/nix-cache.trusted-users.nix");
        expect(payload.expected.trustedUsers).toEqual(["root", "ci"]);
    });

    it("trusts caches added at deploy time (the S3 mirror) after the configured ones", () => {
        const model = stack([{ kind: "nix" }]);
        const mirror = { url: "https://mirror.example.org", publicKeys: ["atproto-mirror-1:mgH0q9dt3ZI9puHEfIGDnkRBfT80I3vfEh4Wda2B0rk="] };
        const payload = hostPayload(model, model.hosts[0], [mirror]);
        expect(payload.expected.substituters.at(-1)).toBe(mirror.url);
        expect(payload.managedConf).toContain(`https://nix-community.cachix.org ${mirror.url}\n`);
    });

    it("shows each kind's config dir in targets", () => {
        const host = (kind: HostSpec["kind"]) => ({ kind, nixConfDir: "/opt/nix/etc" });
        expect(hostConfDir(host("nix"))).toBe("/opt/nix/etc");
        expect(hostConfDir(host("nixos"))).toBe("/etc/nix");
        expect(hostConfDir(host("user"))).toBe("~/.config/nix");
    });
});
