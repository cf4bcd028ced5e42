import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { stackSectionsOf } from "../../components/args/stackSections";
import { validatedSections } from "../../components/args/validate";
import { documentOf, loadStackModel } from "../../components/config/load";
import { StackModel } from "../../components/config/model";
import { ConfigValidationError } from "../../components/config/problems";
import { HOST_KEY, MINIMAL, rawConfig } from "../support/config";
import { CONFIG_SPACE, variantModel } from "../support/githubModels";

// The components' arguments are the stack file's sections, checked by the same schema: a
// validated model mapped onto them validates to the same model, and a wrong argument gets the
// stack file's message at the argument's path.

const withoutSecrets = ({ secrets: _secrets, ...rest }: StackModel) => rest;

const HOST = { name: "builder", kind: "nix", address: "192.0.2.10", hostKey: HOST_KEY } as const;

describe("a validated model as arguments", () => {
    const models: [string, StackModel][] = [
        ["minimal", loadStackModel(rawConfig(MINIMAL), { mode: "render" })],
        ...CONFIG_SPACE.map((variant): [string, StackModel] => [variant.name, variantModel(variant)]),
        [
            "hosts and a mirror",
            loadStackModel(
                rawConfig({
                    cache: { ...MINIMAL.cache, private: true },
                    extraCaches: [{ name: "nix-community", publicKeys: ["nix-community.cachix.org-1:mB9FSh9qf2dCimDSUo8Zy7bkq5CX+/rkCWyvRCYg3Fs="] }],
                    hosts: [
                        { ...HOST, proxy: { address: "192.0.2.1", hostKey: HOST_KEY }, trustedUsers: ["ci"] },
                        { name: "nixos", kind: "nixos", address: "192.0.2.11", hostKey: HOST_KEY, sshAgent: "/run/agent.sock", nixosRebuild: "boot" },
                        { name: "me", kind: "user", address: "192.0.2.10", user: "me", hostKey: HOST_KEY, sshAgent: true },
                    ],
                    mirror: { bucket: "atproto-nix-cache", endpoint: "https://minio.example.org:9000", server: "minio" },
                }),
                { mode: "render" },
            ),
        ],
    ];
    it.each(models)("%s: validates to the same model", (_name, model) => {
        expect(withoutSecrets(validatedSections("CacheSetup", "t", stackSectionsOf(documentOf(model))))).toEqual(withoutSecrets(model));
    });
});

describe("wrong arguments", () => {
    it("get the stack file's message, at the argument's path", () => {
        const host = { ...HOST, hostKey: "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7" };
        const stackFile = (() => {
            try {
                loadStackModel(rawConfig({ ...MINIMAL, hosts: [host] }), { mode: "render" });
            } catch (error) {
                return (error as ConfigValidationError).problems;
            }
            throw new Error("the stack file was accepted");
        })();
        expect(stackFile.map((p) => p.path)).toEqual(["nix-cache:hosts[0].hostKey"]);
        const message = `CacheSetup bad: invalid arguments (1 problem):\n  - hosts[0].hostKey: ${stackFile[0].message}`;
        expect(() => validatedSections("CacheSetup", "bad", { cache: MINIMAL.cache, hosts: [host] })).toThrow(message);
        // A component with one host names it `host`.
        expect(() => validatedSections("NixHost", "bad", { cache: MINIMAL.cache, hosts: [host] }, (p) => p.replace(/^hosts\[0\]/, "host"))).toThrow(
            `  - host.hostKey: ${stackFile[0].message}`,
        );
    });

    it("an Output where a plain value decides the resources is refused by name", () => {
        const host = { ...HOST, nixConfDir: pulumi.output("/etc/nix") as unknown as string };
        expect(() => validatedSections("CacheSetup", "late", { cache: MINIMAL.cache, hosts: [host] })).toThrow(
            /^CacheSetup late: hosts\[0\]\.nixConfDir must be known plain values, not Outputs or promises/,
        );
    });

    it("the split fields join as the stack file writes them", () => {
        const model = validatedSections("CacheSetup", "t", {
            cache: MINIMAL.cache,
            hosts: [{ ...HOST, sshAgentSocket: "/run/agent.sock" }],
            github: { owner: "atproto-nix", repositories: [{ name: "nur" }], workflow: { noSchedule: true } },
        });
        expect(model.hosts[0].auth).toEqual({ kind: "agent", socket: "/run/agent.sock" });
        expect(model.github?.workflow.schedule).toBeUndefined();
    });
});
