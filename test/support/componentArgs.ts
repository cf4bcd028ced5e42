import type * as pulumi from "@pulumi/pulumi";
import { stackSectionsOf } from "../../components/args/ofModel";
import type { GithubCiArgs } from "../../components/github/githubCi";
import type { NixHostArgs } from "../../components/hosts/nixHost";
import type { S3MirrorArgs } from "../../components/mirror/s3Mirror";
import type { StackModel } from "../../components/config/model";

export { cacheSetupArgsOf } from "../../components/args/ofModel";

/** GithubCi's arguments of a validated model (which has a `github` section). */
export function githubCiArgsOf(model: StackModel, credentials: { authToken: pulumi.Input<string>; signingKey?: pulumi.Input<string> }): GithubCiArgs {
    const { github, cache, useCacheNixosOrg, extraCaches, mirror } = stackSectionsOf(model);
    return { github: github!, cache, useCacheNixosOrg, extraCaches, mirror, ...credentials };
}

/** NixHost's arguments for the model's host number `index`. */
export function nixHostArgsOf(model: StackModel, index: number, extra: Partial<NixHostArgs> = {}): NixHostArgs {
    const { cache, useCacheNixosOrg, extraCaches, hosts } = stackSectionsOf(model);
    return { cache, useCacheNixosOrg, extraCaches, host: hosts[index], ...extra };
}

/** S3Mirror's arguments of a validated model (which has an enabled mirror). */
export function s3MirrorArgsOf(model: StackModel): S3MirrorArgs {
    const { cache, useCacheNixosOrg, mirror, github } = stackSectionsOf(model);
    return { cache, useCacheNixosOrg, mirror: mirror!, github };
}
