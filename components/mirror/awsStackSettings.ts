import * as pulumi from "@pulumi/pulumi";
import { AwsStackSettings } from "./providerArgs";
import { aws } from "./awsPackage";

/** The provider's settings that hold credentials: read as secrets, so they stay secrets. */
const SECRET_SETTINGS = new Set(["accessKey", "secretKey", "token"]);

/** The stack's `aws:*` settings, and the keys that are no setting of the AWS provider. */
export interface StackAwsConfig {
    /** Each set key without `aws:`, typed as the provider's own config reads it. */
    readonly settings: AwsStackSettings;
    /** `aws:KEY` set in the stack that the provider does not know (a typo, an old name). */
    readonly unknownKeys: string[];
}

/**
 * Reads every `aws:*` key the stack sets, through `@pulumi/aws`'s own config module (the
 * provider's schema: a list or object is parsed as it would be), credentials as secrets.
 */
export function stackAwsConfig(): StackAwsConfig {
    const known = aws.config as unknown as Record<string, unknown>;
    const config = new pulumi.Config("aws");
    const keys = Object.keys(pulumi.runtime.allConfig())
        .filter((key) => key.startsWith("aws:"))
        .map((key) => key.slice("aws:".length));
    const settings: Record<string, unknown> = {};
    const unknownKeys: string[] = [];
    for (const key of keys) {
        if (SECRET_SETTINGS.has(key)) {
            settings[key] = config.getSecret(key);
        } else if (Object.prototype.hasOwnProperty.call(known, key)) {
            settings[key] = known[key];
        } else {
            unknownKeys.push(`aws:${key}`);
        }
    }
    return { settings, unknownKeys };
}
