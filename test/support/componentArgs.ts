import type * as pulumi from "@pulumi/pulumi";
import { stackSectionsOf } from "../../components/args/stackSections";
import { documentOf } from "../../components/config/load";
import type { StackModel } from "../../components/config/model";
import type { GithubCiArgs } from "../../components/github/githubCi";
import type { NixHostArgs } from "../../components/hosts/nixHost";
import type { S3MirrorArgs } from "../../components/mirror/s3Mirror";
import type { CacheSetupArgs, CacheSetupSecrets } from "../../components/args/setupArgs";

// The components' arguments of a loaded model are the sections of the stack document it was
// loaded from, as written: the stack file and the arguments are one spelling.

/** The sections of the document `model` was loaded from. */
function sectionsOf(model: StackModel) {
    const { cache, ...rest } = stackSectionsOf(documentOf(model));
    return { cache, useCacheNixosOrg: undefined, extraCaches: undefined, hosts: undefined, github: undefined, mirror: undefined, ...rest };
}

/** CacheSetup's arguments of a loaded model and its secret values. */
export function cacheSetupArgsOf(model: StackModel, secrets: CacheSetupSecrets): CacheSetupArgs {
    return { ...stackSectionsOf(documentOf(model)), ...secrets, sshPrivateKeys: { ...secrets.sshPrivateKeys } };
}

/** GithubCi's arguments of a loaded model (which has a `github` section). */
export function githubCiArgsOf(model: StackModel, credentials: { authToken: pulumi.Input<string>; signingKey?: pulumi.Input<string> }): GithubCiArgs {
    const { github, cache, useCacheNixosOrg, extraCaches, mirror } = sectionsOf(model);
    return { github: github!, cache, useCacheNixosOrg, extraCaches, mirror, ...credentials };
}

/** NixHost's arguments for the model's host number `index`. */
export function nixHostArgsOf(model: StackModel, index: number, extra: Partial<NixHostArgs> = {}): NixHostArgs {
    const { cache, useCacheNixosOrg, extraCaches, hosts } = sectionsOf(model);
    return { cache, useCacheNixosOrg, extraCaches, host: hosts![index], ...extra };
}

/** S3Mirror's arguments of a loaded model (which has an enabled mirror). */
export function s3MirrorArgsOf(model: StackModel): S3MirrorArgs {
    const { cache, useCacheNixosOrg, mirror, github } = sectionsOf(model);
    return { cache, useCacheNixosOrg, mirror: mirror!, github };
}
