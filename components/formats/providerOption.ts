import * as pulumi from "@pulumi/pulumi";

/**
 * The provider of one package a component was given in its options (`provider`, or `providers`
 * as a list or keyed by package), or undefined: the component then makes its own.
 */
export function givenProvider<T extends pulumi.ProviderResource>(
    opts: pulumi.ComponentResourceOptions | undefined,
    pkg: string,
    isKind: (value: unknown) => value is T,
): T | undefined {
    const providers = opts?.providers;
    const listed = providers === undefined ? [] : Array.isArray(providers) ? providers : Object.entries(providers).filter(([key]) => key === pkg).map(([, p]) => p);
    return [opts?.provider, ...listed].find(isKind);
}
