import * as pulumi from "@pulumi/pulumi";
import { generateNixSigningKey } from "../formats/signingKey";

/** Inputs of {@link NixSigningKey}. */
export interface NixSigningKeyArgs {
    /** The key's name, the part before the colon; changing it makes a new key. */
    readonly keyName: pulumi.Input<string>;
}

/** What the provider keeps in state. */
interface KeyState {
    /** The key's name. */
    readonly keyName: string;
    /** `NAME:base64` public key. */
    readonly publicKey: string;
    /** `NAME:base64` secret key (a secret output). */
    readonly secretKey: string;
}

/**
 * The key's lifecycle. It is serialised into the state with its closure (only
 * `generateNixSigningKey` and Node's `crypto`), and runs in Pulumi's dynamic-provider host.
 *
 * - `create` generates the pair: the key is made once and then lives only in the (encrypted) state.
 * - `diff` reports a change only for a new `keyName`, as a replacement; a new version of this code
 *   alone changes nothing, so the key stays stable across updates.
 * - `update` keeps the stored pair, in case the engine asks for one anyway.
 */
export const nixSigningKeyProvider: pulumi.dynamic.ResourceProvider<{ keyName: string }, KeyState> = {
    async create(inputs) {
        const pair = generateNixSigningKey(inputs.keyName);
        return { id: inputs.keyName, outs: { keyName: inputs.keyName, ...pair } };
    },
    async diff(_id, olds, news) {
        const renamed = olds.keyName !== news.keyName;
        return { changes: renamed, replaces: renamed ? ["keyName"] : [] };
    },
    async update(_id, olds) {
        return { outs: olds };
    },
};

/**
 * A Nix binary-cache signing key generated in the stack (Ed25519, Nix's `NAME:base64` forms).
 * The secret key is a secret output: encrypted in state, never shown.
 */
export class NixSigningKey extends pulumi.dynamic.Resource {
    /** The key's name. */
    declare readonly keyName: pulumi.Output<string>;
    /** `NAME:base64`, for `trusted-public-keys`. */
    declare readonly publicKey: pulumi.Output<string>;
    /** `NAME:base64` of the 64-byte secret key (a secret). */
    declare readonly secretKey: pulumi.Output<string>;

    constructor(name: string, args: NixSigningKeyArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            nixSigningKeyProvider,
            name,
            { keyName: args.keyName, publicKey: undefined, secretKey: undefined },
            pulumi.mergeOptions(opts, { additionalSecretOutputs: ["secretKey"] }),
            undefined,
            "NixSigningKey",
        );
    }
}
