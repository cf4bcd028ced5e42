import * as pulumi from "@pulumi/pulumi";
import { GithubSpec } from "../config/model";
import { github } from "./githubPackage";

/** How the stack treats the environment of environment-scoped secrets. */
export type EnvironmentMode = "existing" | "createIfMissing" | "manage";

/** `manageEnvironment` owns it, `createEnvironment` creates a missing one, else it must exist. */
export function environmentMode(spec: GithubSpec): EnvironmentMode {
    if (spec.secret.scope !== "environment") {
        return "existing";
    }
    return spec.secret.manageEnvironment === true ? "manage" : spec.secret.createEnvironment === true ? "createIfMissing" : "existing";
}

/** Whether an environment named `name` is among those GitHub lists (names compare without case, as GitHub's do). */
export function environmentExists(listed: readonly { name: string }[] | undefined, name: string): boolean {
    return (listed ?? []).some((e) => e.name.toLowerCase() === name.toLowerCase());
}

/** The settings a created environment's later updates leave alone, so rules added by hand stay. */
export const ENVIRONMENT_SETTINGS = ["waitTimer", "reviewers", "deploymentBranchPolicy", "preventSelfReview", "canAdminsBypass"];

/**
 * The environment of one repository, per the mode, as what its secret must wait for.
 *
 * `createIfMissing` asks GitHub for the repository's environments and declares one only when
 * it is missing: creating it PUTs its settings, which would reset an existing environment's
 * protection rules. It is kept on destroy and its settings are never updated afterwards, so
 * rules added by hand stay. (Once it exists, a later run no longer declares it; it leaves the
 * state without being deleted.) `manage` declares it always: the stack owns its settings.
 */
export function repositoryEnvironment(
    name: string,
    spec: GithubSpec,
    repository: string,
    opts: pulumi.CustomResourceOptions,
): pulumi.Output<pulumi.Resource[]> {
    const environment = spec.secret.environment ?? "";
    const mode = environmentMode(spec);
    const declare = (extra: pulumi.CustomResourceOptions) =>
        new github.RepositoryEnvironment(`${name}-${repository}-environment`, { repository, environment }, { ...opts, ...extra });
    switch (mode) {
        case "existing":
            return pulumi.output([]);
        case "manage":
            return pulumi.output([declare({})]);
        case "createIfMissing":
            return github
                .getRepositoryEnvironmentsOutput({ repository }, { parent: opts.parent, provider: opts.provider })
                .apply((result) =>
                    environmentExists(result.environments, environment) ? [] : [declare({ retainOnDelete: true, ignoreChanges: ENVIRONMENT_SETTINGS })],
                );
    }
}
