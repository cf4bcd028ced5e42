import type * as Github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { github } from "./githubPackage";

// One lookup per provider and repository for the whole program run: the workflow's default
// branch and an organisation secret's repository ids come from the same answer, so a run asks
// GitHub at most once per repository, not once per use.
const lookups = new WeakMap<pulumi.ProviderResource, Map<string, Promise<Github.GetRepositoryResult>>>();

/** GitHub's answer for `owner/name` (`GET /repos/OWNER/NAME`), asked once per provider. */
export function repositoryAnswer(fullName: string, opts: { parent?: pulumi.Resource; provider?: pulumi.ProviderResource }): Promise<Github.GetRepositoryResult> {
    if (opts.provider === undefined) {
        return github.getRepository({ fullName }, opts);
    }
    const known = lookups.get(opts.provider) ?? new Map<string, Promise<Github.GetRepositoryResult>>();
    lookups.set(opts.provider, known);
    const found = known.get(fullName);
    if (found !== undefined) {
        return found;
    }
    const lookup = github.getRepository({ fullName }, { parent: opts.parent, provider: opts.provider });
    known.set(fullName, lookup);
    return lookup;
}

/** {@link repositoryAnswer} as an Output. */
export function repositoryLookup(fullName: string, opts: { parent?: pulumi.Resource; provider?: pulumi.ProviderResource }): pulumi.Output<Github.GetRepositoryResult> {
    return pulumi.output(repositoryAnswer(fullName, opts));
}
