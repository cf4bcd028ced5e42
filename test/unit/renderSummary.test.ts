import { describe, expect, it } from "vitest";
import { noChanges } from "../../cli/renderChanges";
import { stackSummary } from "../../cli/renderSummary";
import { loadStackModel } from "../../components/config/load";
import { allArtifacts } from "../../components/setup/allArtifacts";
import { secretPlaceholder } from "../../components/render/artifact";
import { ATPROTO_KEY, HOST_KEY, rawConfig } from "../support/config";

// Render without --out: a few lines per target, saying what each gets.

function summary(config: Record<string, unknown>): string {
    const model = loadStackModel(rawConfig(config, { sshPrivateKey: "x", cachixAuthToken: "x" }), { mode: "render" });
    return stackSummary("s", model, allArtifacts(model, secretPlaceholder, "s"), noChanges("no state to compare with (offline)"));
}

describe("render's summary", () => {
    it("of a hosts-only stack on a private cache: each host's files, settings, netrc and what runs after; a retired host is not applied", () => {
        const text = summary({
            cache: { name: "atproto", url: "https://atproto.cachix.org", publicKeys: [ATPROTO_KEY], private: true },
            useCacheNixosOrg: false,
            hosts: [
                { name: "b1", kind: "nix", address: "192.0.2.1", hostKey: HOST_KEY, trustedUsers: ["ci"], restartDaemon: false },
                { name: "laptop", kind: "user", address: "192.0.2.2", user: "dev", hostKey: HOST_KEY },
                { name: "old", kind: "nix", address: "192.0.2.3", hostKey: HOST_KEY, retired: true },
            ],
        });
        expect(text).toBe(
            [
                "stack s: what `pulumi up` applies; what would change: no state to compare with (offline)",
                "",
                "host b1 (nix, root@192.0.2.1:22)",
                "  files: /etc/nix/nix-cache.conf, /etc/nix/netrc, and two include lines at the end of /etc/nix/nix.conf",
                "  substituters: https://atproto.cachix.org",
                `  trusted-public-keys: ${ATPROTO_KEY}`,
                "  trusted-users: ci (merged with the host's own)",
                "  netrc: machine atproto.cachix.org, with the stack's Cachix read token",
                "  then: no restart; Nix's effective settings are read back and checked",
                "",
                "host laptop (user, dev@192.0.2.2:22)",
                "  files: ~/.config/nix/nix-cache.conf, ~/.config/nix/netrc, and two include lines at the end of ~/.config/nix/nix.conf",
                "  substituters: https://atproto.cachix.org",
                `  trusted-public-keys: ${ATPROTO_KEY}`,
                "  netrc: machine atproto.cachix.org, with the stack's Cachix read token",
                "  then: no restart; Nix's effective settings are read back and checked",
                "",
                "host old (nix, root@192.0.2.3:22): retired, not contacted; nothing applied or undone",
                "",
                "stack outputs: nixConf, nixosModule, netrc",
                "",
                "Every file, byte for byte, with the host scripts: npm run render -- --stack s --out DIR",
                "",
            ].join("\n"),
        );
        expect(text).not.toContain("<secret:");
    });
});
