import * as command from "@pulumi/command";
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";

/**
 * The baseline's resources: the same @pulumi classes the components register, with small
 * constant inputs, no parents and no rendered content, so the comparison isolates what the
 * components and renderers add on top of registering that many resources.
 */
const PLAIN: Readonly<Record<string, (name: string) => pulumi.CustomResource>> = {
    "command:remote:Command": (name) => new command.remote.Command(name, { connection: { host: "203.0.113.10" }, create: "true" }),
    "github:index/actionsSecret:ActionsSecret": (name) => new github.ActionsSecret(name, { repository: "repo", secretName: "CACHIX_AUTH_TOKEN", value: "x" }),
    "github:index/repositoryFile:RepositoryFile": (name) => new github.RepositoryFile(name, { repository: "repo", file: "build.yml", content: "x" }),
    "pulumi:providers:github": (name) => new github.Provider(name, { owner: "atproto-nix" }),
};

/** Registers one plain resource of the type token; fails for a type the baseline does not know. */
export function plainResource(type: string, name: string): pulumi.CustomResource {
    const make = PLAIN[type];
    if (make === undefined) {
        // A new resource type in the components must get a baseline too, or the ratio lies.
        throw new Error(`baseline: no plain constructor for resource type ${type}`);
    }
    return make(`${name}-${type.replace(/[^A-Za-z0-9]+/g, "-")}`);
}
