import * as pulumi from "@pulumi/pulumi";
import { acceptErrorHooks, answerAwsInvoke, MOCK_MIRROR_KEY } from "./mirrorMocks";

/** One resource the program registered under mocks. */
export interface Registered {
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly inputs: Record<string, unknown>;
}

/**
 * Installs Pulumi mocks that record every registered resource, and sets the stack config
 * (un-namespaced keys; `secrets` are marked secret as `pulumi config set --secret` would).
 * Call before importing the code under test.
 */
export async function installMocks(
    config: Record<string, unknown> = {},
    secrets: Record<string, string> = {},
): Promise<Registered[]> {
    const registered: Registered[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                registered.push({ type: args.type, name: args.name, custom: args.custom ?? true, inputs: args.inputs });
                return { id: `${args.name}-id`, state: { ...args.inputs, ...stateFor(args.type, args.inputs) } };
            },
            call(args) {
                const aws = answerAwsInvoke(args.token, args.inputs);
                if (aws !== undefined) {
                    return aws;
                }
                if (args.token === "github:index/getRestApi:getRestApi") {
                    // No workflow file on GitHub yet (as the REST API answers a missing path).
                    return { ...args.inputs, code: 404, body: "{}" };
                }
                return { ...args.inputs, id: "mock-id", nodeId: "mock-node-id", repoId: 1, arn: "arn:aws:iam::123456789012:mock" };
            },
        },
        "nix-cache",
        "test",
        false,
        "organization",
    );
    acceptErrorHooks();
    const all: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...config, ...secrets })) {
        all[`nix-cache:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    pulumi.runtime.setAllConfig(all, Object.keys(secrets).map((k) => `nix-cache:${k}`));
    return registered;
}

// Outputs that real providers compute and the code under test reads.
function stateFor(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
    if (type === "command:remote:Command") {
        return { stdout: "", stderr: "" };
    }
    if (type === "pulumi-nodejs:dynamic:NixSigningKey") {
        return { ...MOCK_MIRROR_KEY };
    }
    return type.startsWith("aws:") ? { arn: `arn:aws:mock:::${String(inputs.bucket ?? inputs.name ?? "x")}` } : {};
}

/** The value of an output, once known. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/** Whether an output is a secret. */
export function isSecretOutput<T>(output: pulumi.Output<T>): Promise<boolean> {
    return pulumi.isSecret(output);
}
