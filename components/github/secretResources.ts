import { createHash } from "crypto";
import type * as Github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { repositoryLookup } from "./repositoryLookup";
import { SecretPlacement } from "./secretPlacements";
import { github } from "./githubPackage";

/** How an organisation secret with `visibility: selected` grants its repositories. */
export type OrganizationAccessMode = "exact" | "additive";

/** What {@link placeSecret} needs besides the placement. */
export interface SecretResourceContext {
    /** The component the resources belong to. */
    readonly parent: pulumi.Resource;
    /** The GitHub provider. */
    readonly provider: Github.Provider;
    /** The organisation or user owning the repositories (to look up repository ids). */
    readonly owner: string;
    /**
     * `exact`: the access list is exactly the declared repositories (one
     * `ActionsOrganizationSecretRepositories`); `additive`: one `ActionsOrganizationSecretRepository`
     * per declared repository, leaving repositories granted by hand alone between rotations.
     */
    readonly access: OrganizationAccessMode;
}

/**
 * A value that changes exactly when the secret's value changes, without revealing it: the
 * SHA-256 of the value, itself kept a Pulumi secret so the state stores it encrypted.
 */
export function rotationTrigger(value: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.secret(pulumi.output(value).apply((v) => createHash("sha256").update(v).digest("hex")));
}

/** Where a placed secret's resources fit in the stack, besides its placement. */
export interface SecretResourceOptions {
    /** Resources the secret must wait for (an environment the stack creates). */
    readonly dependsOn?: pulumi.Input<pulumi.Resource[]>;
    /**
     * The name the secret's resource had in stacks made before its name followed the secret's
     * GitHub name; its access resources are aliased the same way, so such a stack keeps them.
     */
    readonly formerPrefix?: string;
}

/**
 * How an organisation secret's repository access is expressed: its visibility, and with
 * `selected` the kind of access resource. A change of layout replaces the secret (see
 * {@link placeSecret}).
 */
export function accessLayout(placement: SecretPlacement & { scope: "organization" }, access: OrganizationAccessMode): string {
    return placement.visibility === "selected" ? `selected/${access}` : placement.visibility;
}

/**
 * Registers the secret resources of one placement under `prefix` and returns them.
 *
 * One resource per remote object, named by that object: a secret by its GitHub name and place,
 * a repository's grant by that repository. So a change of mode is an update of the same
 * resource, never a delete of a resource that names what another one just wrote.
 *
 * An organisation secret with `visibility: selected` needs care on rotation. The provider's
 * update of `ActionsOrganizationSecret` sends `visibility=selected` with no repository ids
 * (the list is empty and omitted), which GitHub takes as "no repositories": every rotation
 * would strip all access while the access resource, whose inputs did not change, sees nothing
 * to do. So the access resources are replaced whenever the value changes (`replacementTrigger`)
 * or the secret is replaced (`replaceWith`), deleting before creating because their delete
 * empties the list: the last call GitHub sees is always the one that sets the declared access.
 *
 * The access resources depend on the secret's name, and a change of visibility or of access
 * mode ({@link accessLayout}) replaces the secret, deleting first: the engine then deletes every
 * access resource of the old layout before the secret, while the secret is still `selected`
 * (a grant's delete after the secret left `selected` gets 409; an exact list's delete after
 * additive grants were made would empty it), and creates the new layout's after the new secret.
 */
export function placeSecret(
    prefix: string,
    placement: SecretPlacement,
    value: pulumi.Output<string>,
    context: SecretResourceContext,
    options: SecretResourceOptions = {},
): pulumi.CustomResource[] {
    const { dependsOn, formerPrefix } = options;
    const formerly = (suffix: string): Pick<pulumi.CustomResourceOptions, "aliases"> =>
        formerPrefix === undefined || formerPrefix === prefix ? {} : { aliases: [{ name: `${formerPrefix}${suffix}` }] };
    // A secret's identity is its name: creating the new one before deleting the old on a
    // replace would delete the secret itself.
    const opts: pulumi.CustomResourceOptions = { parent: context.parent, provider: context.provider, deleteBeforeReplace: true, dependsOn, ...formerly("") };
    switch (placement.scope) {
        case "repository":
            return [new github.ActionsSecret(prefix, { repository: placement.repository, secretName: placement.name, value }, opts)];
        case "environment":
            return [
                new github.ActionsEnvironmentSecret(
                    prefix,
                    { repository: placement.repository, environment: placement.environment, secretName: placement.name, value },
                    opts,
                ),
            ];
        case "organization": {
            const secret = new github.ActionsOrganizationSecret(
                prefix,
                { secretName: placement.name, visibility: placement.visibility, value },
                { ...opts, replacementTrigger: accessLayout(placement, context.access) },
            );
            if (placement.visibility !== "selected") {
                return [secret];
            }
            const accessOpts: pulumi.CustomResourceOptions = {
                parent: context.parent,
                provider: context.provider,
                deleteBeforeReplace: true,
                dependsOn: [secret],
                replaceWith: [secret],
                replacementTrigger: rotationTrigger(value),
            };
            // GitHub wants numeric ids: look them up by name.
            const ids = placement.repositories.map((repo) => ({
                repo,
                id: repositoryLookup(`${context.owner}/${repo}`, { parent: context.parent, provider: context.provider }).repoId,
            }));
            if (context.access === "additive") {
                return [
                    secret,
                    ...ids.map(
                        ({ repo, id }) =>
                            new github.ActionsOrganizationSecretRepository(
                                `${prefix}-${repo}-repository`,
                                { secretName: secret.secretName, repositoryId: id },
                                { ...accessOpts, ...formerly(`-${repo}-repository`) },
                            ),
                    ),
                ];
            }
            const access = new github.ActionsOrganizationSecretRepositories(
                `${prefix}-repositories`,
                { secretName: secret.secretName, selectedRepositoryIds: ids.map((i) => i.id) },
                { ...accessOpts, ...formerly("-repositories") },
            );
            return [secret, access];
        }
    }
}
