import * as pulumi from "@pulumi/pulumi";
import { CacheSetupSecrets } from "../args/setupArgs";
import { PROJECT_NAME, StackModel } from "../config/model";

/** Reads the secret config values the model needs, as Pulumi secrets. */
export function readSecrets(model: StackModel, config = new pulumi.Config(PROJECT_NAME)): CacheSetupSecrets {
    // No prototype: a lookup of a key not read here finds nothing, never an Object member.
    const sshPrivateKeys: Record<string, pulumi.Output<string>> = Object.create(null);
    for (const host of model.hosts) {
        if (host.auth.kind === "privateKey") {
            sshPrivateKeys[host.auth.configKey] = config.requireSecret(host.auth.configKey);
        }
    }
    return {
        cachixAuthToken: model.secrets.cachixAuthToken ? config.requireSecret("cachixAuthToken") : undefined,
        cachixSigningKey: model.secrets.cachixSigningKey ? config.requireSecret("cachixSigningKey") : undefined,
        cachixReadToken: model.secrets.cachixReadToken ? config.requireSecret("cachixReadToken") : undefined,
        sshPrivateKeys,
    };
}
