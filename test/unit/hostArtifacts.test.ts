import { describe, expect, it } from "vitest";
import { loadStackModel } from "../../components/config/load";
import { rawConfigFromStackFile } from "../../components/config/sources";
import { hostArtifacts } from "../../components/hosts/hostArtifacts";
import { renderedAddedCaches } from "../../components/mirror/mirrorCache";
import { hostScripts } from "../../components/hosts/hostScripts";
import { hostPayload } from "../../components/hosts/payload";
import { allArtifacts } from "../../components/setup/allArtifacts";
import { secretPlaceholder } from "../../components/render/artifact";
import { stackFile } from "../../cli/args";
import { ATPROTO_KEY, HOST_KEY, rawConfig } from "../support/config";

describe("host artifacts", () => {
    it("render the atproto example's two hosts: NixOS modules, the managed nix.conf file and scripts", () => {
        const model = loadStackModel(rawConfigFromStackFile(stackFile("atproto")), { mode: "render" });
        const artifacts = hostArtifacts(model, secretPlaceholder, renderedAddedCaches(model));
        expect(artifacts.map(({ kind, target, path }) => [kind, path, target])).toEqual([
            ["nixos-module", "hosts/builder-nixos/etc/nixos/cachix.nix", "host:builder-nixos:/etc/nixos/cachix.nix"],
            ["nixos-module", "hosts/builder-nixos/etc/nixos/cachix/atproto.nix", "host:builder-nixos:/etc/nixos/cachix/atproto.nix"],
            ["nixos-module", "hosts/builder-nixos/etc/nixos/cachix/nix-cache.trusted-users.nix", "host:builder-nixos:/etc/nixos/cachix/nix-cache.trusted-users.nix"],
            ["script", "hosts/builder-nixos/apply.sh", "host:builder-nixos:command:settings.create"],
            ["script", "hosts/builder-nixos/destroy.sh", "host:builder-nixos:command:settings.delete"],
            ["script", "hosts/builder-nixos/verify.sh", "host:builder-nixos:command:verify.create"],
            ["script", "hosts/builder-nixos/detect.sh", "host:builder-nixos:command:detect"],
            ["nix-conf", "hosts/builder-debian/etc/nix/nix-cache.conf", "host:builder-debian:/etc/nix/nix-cache.conf"],
            ["script", "hosts/builder-debian/apply.sh", "host:builder-debian:command:settings.create"],
            ["script", "hosts/builder-debian/destroy.sh", "host:builder-debian:command:settings.delete"],
            ["script", "hosts/builder-debian/verify.sh", "host:builder-debian:command:verify.create"],
            ["script", "hosts/builder-debian/detect.sh", "host:builder-debian:command:detect"],
        ]);
        const debian = model.hosts.find((h) => h.name === "builder-debian")!;
        const payload = hostPayload(model, debian);
        expect(artifacts.find((a) => a.path === "hosts/builder-debian/etc/nix/nix-cache.conf")!.content).toBe(payload.managedConf);
        expect(artifacts.find((a) => a.path === "hosts/builder-debian/apply.sh")!.content).toBe(hostScripts(payload).apply);
        expect(allArtifacts(model, secretPlaceholder)).toEqual(expect.arrayContaining(artifacts));
    });

    it("render a private cache's netrc with a placeholder, and user hosts under home/", () => {
        const model = loadStackModel(
            rawConfig(
                {
                    cache: { name: "atproto", publicKeys: [ATPROTO_KEY], private: true },
                    hosts: [{ name: "laptop", kind: "user", user: "dev", address: "192.0.2.9", hostKey: HOST_KEY }],
                },
                { cachixAuthToken: "the-real-token", sshPrivateKey: "the-real-key" },
            ),
            { mode: "apply" },
        );
        const artifacts = hostArtifacts(model, secretPlaceholder, renderedAddedCaches(model));
        expect(artifacts.find((a) => a.kind === "netrc")).toEqual({
            kind: "netrc",
            target: "host:laptop:~/.config/nix/netrc",
            path: "hosts/laptop/home/.config/nix/netrc",
            content: "machine atproto.cachix.org password <secret:cachixAuthToken>\n",
        });
        expect(artifacts.find((a) => a.kind === "nix-conf")!.path).toBe("hosts/laptop/home/.config/nix/nix-cache.conf");
        expect(artifacts.map((a) => a.path)).toEqual(expect.arrayContaining(["hosts/laptop/netrc-apply.sh", "hosts/laptop/netrc-destroy.sh"]));
        for (const artifact of artifacts) {
            expect(artifact.content).not.toContain("the-real-token");
            expect(artifact.content).not.toContain("the-real-key");
        }
    });
});
