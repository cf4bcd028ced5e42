import { createHash } from "crypto";
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { SecretPlacement } from "./secretPlacements";

/** How an organisation secret with `visibility: selected` grants its repositories. */
export type OrganizationAccessMode = "exact" | "additive";

/** What {@link placeSecret} needs besides the placement. */
export interface SecretResourceContext {
    /** The component the resources belong to. */
    readonly parent: pulumi.Resource;
    /** The GitHub provider. */
    readonly provider: github.Provider;
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

/**
 * Registers the secret resources of one placement under `prefix` and returns them.
 *
 * An organisation secret with `visibility: selected` needs care on rotation. The provider's
 * update of `ActionsOrganizationSecret` sends `visibility=selected` with no repository ids
 * (the list is empty and omitted), which GitHub takes as "no repositories": every rotation
 * would strip all access while the access resource, whose inputs did not change, sees nothing
 * to do. So the access resources are replaced whenever the value changes (`replacementTrigger`)
 * or the secret is replaced (`replaceWith`), deleting before creating because their delete
 * empties the list: the last call GitHub sees is always the one that sets the declared access.
 */
export function placeSecret(
    prefix: string,
    placement: SecretPlacement,
    value: pulumi.Output<string>,
    context: SecretResourceContext,
    dependsOn?: pulumi.Input<pulumi.Resource[]>,
): pulumi.CustomResource[] {
    // A secret's identity is its name: creating the new one before deleting the old on a
    // replace would delete the secret itself.
    const opts: pulumi.CustomResourceOptions = { parent: context.parent, provider: context.provider, deleteBeforeReplace: true, dependsOn };
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
            const secret = new github.ActionsOrganizationSecret(prefix, { secretName: placement.name, visibility: placement.visibility, value }, opts);
            if (placement.visibility !== "selected") {
                return [secret];
            }
            const accessOpts: pulumi.CustomResourceOptions = {
                ...opts,
                dependsOn: [secret],
                replaceWith: [secret],
                replacementTrigger: rotationTrigger(value),
            };
            // GitHub wants numeric ids: look them up by name.
            const ids = placement.repositories.map((repo) => ({
                repo,
                id: github.getRepositoryOutput({ fullName: `${context.owner}/${repo}` }, { parent: context.parent, provider: context.provider }).repoId,
            }));
            if (context.access === "additive") {
                return [
                    secret,
                    ...ids.map(
                        ({ repo, id }) =>
                            new github.ActionsOrganizationSecretRepository(`${prefix}-${repo}-repository`, { secretName: secret.secretName, repositoryId: id }, accessOpts),
                    ),
                ];
            }
            const access = new github.ActionsOrganizationSecretRepositories(
                `${prefix}-repositories`,
                { secretName: secret.secretName, selectedRepositoryIds: ids.map((i) => i.id) },
                accessOpts,
            );
            return [secret, access];
        }
    }
}
