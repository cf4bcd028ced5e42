// One builder host that substitutes from one binary cache, declared in code with the nix-cache
// library: no stack configuration. Where the host and the cache are comes from the environment.
import * as fs from "fs";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { CacheSetup } from "nix-cache";

function required(name: string): string {
    const value = process.env[name];
    if (value === undefined || value === "") {
        throw new Error(`set ${name}`);
    }
    return value;
}

// The builder's address as another resource of the program reports it: here a local command
// prints it; in a real program, the machine's own output, such as an aws.ec2.Instance's publicIp.
// The host's connection fields may be Outputs like this one; they are checked once they resolve.
const builder = new command.local.Command("builder-address", { create: 'printf %s "$BUILDER_ADDRESS"' });

const setup = new CacheSetup("example", {
    cache: { name: "example", url: required("CACHE_URL"), publicKeys: [required("CACHE_PUBLIC_KEY")] },
    useCacheNixosOrg: false,
    hosts: [
        {
            name: "builder",
            kind: "nix",
            address: builder.stdout,
            port: Number(required("BUILDER_PORT")),
            hostKey: required("BUILDER_HOST_KEY"),
        },
    ],
    // Under the name hosts give it (`privateKeySecret`, `sshPrivateKey` unless set); kept secret in state.
    sshPrivateKeys: { sshPrivateKey: pulumi.secret(fs.readFileSync(required("BUILDER_SSH_KEY_FILE"), "utf8")) },
});

export const substituters = setup.substituters;
export const hostSubstituters = setup.hosts[0].effectiveSubstituters;
