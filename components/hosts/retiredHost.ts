import * as pulumi from "@pulumi/pulumi";
import { HostSpec } from "../config/model";
import { BACKUP_DIR_NAME, MANAGED_CONF_NAME, NIXOS_BACKUP_DIR_NAME, NIXOS_CONFIG_DIR, USER_CONF_DIR_DISPLAY } from "./layout";

/**
 * Every input of the host's command resources (remote and local). A retired host's commands keep
 * what state has for each, so the engine sees no change and never calls the provider to
 * connect.
 */
const COMMAND_INPUTS = [
    "connection", "triggers", "create", "update", "delete", "stdin", "environment", "logging", "addPreviousOutputInEnv",
    "interpreter", "dir", "assetPaths", "archivePaths",
];

/**
 * The options of a retired host's commands: kept in state as they are (`ignoreChanges` on every
 * input), and dropped from state without running their delete once they leave the program or on
 * `pulumi destroy` (`retainOnDelete`, which the engine records on the `up` that sets it).
 */
export function retiredCommandOptions(): Pick<pulumi.CustomResourceOptions, "retainOnDelete" | "ignoreChanges"> {
    return { retainOnDelete: true, ignoreChanges: [...COMMAND_INPUTS] };
}

/** What the last `up` left on a retired host, which nix-cache no longer undoes. */
export function retiredLeftovers(host: Pick<HostSpec, "kind" | "nixConfDir">, isPrivate: boolean): string[] {
    if (host.kind === "nixos") {
        return [`the cachix modules under ${NIXOS_CONFIG_DIR} and their import`, `${NIXOS_CONFIG_DIR}/${NIXOS_BACKUP_DIR_NAME}`, ...(isPrivate ? ["the cache's line in its netrc"] : [])];
    }
    const dir = host.kind === "user" ? USER_CONF_DIR_DISPLAY : host.nixConfDir;
    return [`${dir}/${MANAGED_CONF_NAME}`, `the include lines in ${dir}/nix.conf`, `${dir}/${BACKUP_DIR_NAME}`, ...(isPrivate ? [`the cache's line in ${dir}/netrc`] : [])];
}

/** The warning every `up` of a stack with a retired host gives. */
export function retiredWarning(host: Pick<HostSpec, "name" | "kind" | "nixConfDir">, isPrivate: boolean): string {
    return (
        `host ${host.name} is retired: nix-cache does not connect to it, and removing its entry or \`pulumi destroy\` ` +
        `drops it from state without undoing anything there. Left on it: ${retiredLeftovers(host, isPrivate).join(", ")}. ` +
        "Run `pulumi up` once with the flag set before removing the entry (a host never applied is created: remove its entry instead)"
    );
}
