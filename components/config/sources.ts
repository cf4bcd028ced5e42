import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { PROJECT_NAME } from "./model";
import { RawStackConfig } from "./load";

/** The running Pulumi program's configuration. */
export function rawConfigFromPulumi(): RawStackConfig {
    const values = pulumi.runtime.allConfig();
    // The SDK exports the secret-key lookup it uses for `Config.get` warnings, but not in its typings.
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };
    const secretKeys = new Set(Object.keys(values).filter((key) => runtimeConfig.isConfigSecret(key)));
    return { values, secretKeys };
}

/**
 * A stack settings file (`stacks/Pulumi.NAME.yaml`), read without the Pulumi CLI: keys without
 * a namespace belong to the project, and `secure:` values are secrets whose ciphertext is never
 * read.
 */
export function rawConfigFromStackFile(file: string): RawStackConfig {
    const document = parseYaml(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
    const config = document?.config ?? {};
    const values: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    for (const [key, value] of Object.entries(config)) {
        const fullKey = key.includes(":") ? key : `${PROJECT_NAME}:${key}`;
        const isSecure = typeof value === "object" && value !== null && "secure" in value;
        values[fullKey] = isSecure ? "(encrypted)" : value;
        if (isSecure) {
            secretKeys.add(fullKey);
        }
    }
    return { values, secretKeys };
}
