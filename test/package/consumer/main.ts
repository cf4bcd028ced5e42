// A program of someone else's that uses the packed library: it imports it by its package name,
// builds a CacheSetup from code (one builder host, no stack file) under Pulumi's mocks, and
// prints what it registered. Compiled with tsc against the package's .d.ts files, then run.
import * as pulumi from "@pulumi/pulumi";
import { CacheSetup, NixHostKind } from "nix-cache";

async function main(): Promise<void> {
    const registered: string[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registered.push(`${args.type} ${args.name}`);
                return { id: `${args.name}-id`, state: { ...args.inputs, stdout: "", stderr: "" } };
            },
            call: (args) => args.inputs,
        },
        "consumer",
        "dev",
        false,
    );
    const setup = new CacheSetup("consumer", {
        cache: { name: "consumer", publicKeys: ["consumer.cachix.org-1:mgH0q9dt3ZI9puHEfIGDnkRBfT80I3vfEh4Wda2B0rk="] },
        hosts: [
            { name: "builder", kind: NixHostKind.Nix, address: "192.0.2.10", hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHY/Iqipe4Qb5bqdBeZIfnl+bTHJsvFeNhntxrITnIYm" },
        ],
        sshPrivateKeys: { sshPrivateKey: pulumi.secret("not a real key") },
    });
    const substituters = await new Promise<string[]>((resolve) => setup.substituters.apply(resolve));
    // Let the mocks see every registration before printing.
    await new Promise((resolve) => setTimeout(resolve, 200));
    console.log(JSON.stringify({ substituters, registered: registered.sort() }));
}

main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
});
