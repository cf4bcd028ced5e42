import * as pulumi from "@pulumi/pulumi";
import { StackSections, validatedSections } from "../args/validate";
import { hostsToken } from "./cacheSetup";
import { CacheSetupArgs } from "../args/setupArgs";
import { StackModel } from "../config/model";
import { CachixApiError } from "../identity/cachixApi";
import { cacheFromCachix, CachixCacheView, CachixCheckError, TokenUse } from "../identity/cachixCache";
import { declaredCache } from "../identity/declaredCache";

/**
 * The {@link CacheSetup} arguments with the cache as Cachix has it: its keys (when left out)
 * and URL, after checking the stack against the cache and each token against the rights its use
 * needs. Await it before constructing the setup, so a wrong key or token fails before anything is
 * registered or changed. With `cache.offline` it returns the arguments as they are and says so.
 */
export async function cacheSetupArgsFromCachix(args: CacheSetupArgs, options: { timeoutMs?: number } = {}): Promise<CacheSetupArgs> {
    const model = validatedSections("CacheSetup", "arguments", sectionsOf(args), undefined, "from-cachix");
    if (model.cache.cachix.offline) {
        await pulumi.log.info(`cache.offline: Cachix is not asked; the keys, visibility and tokens of cache "${model.cache.name}" are not checked`);
        return args;
    }
    const view = await checkedView(model, args, options.timeoutMs);
    if (view.created) {
        await pulumi.log.info(`cache "${model.cache.name}" did not exist on Cachix and was created`);
    }
    return { ...args, cache: { ...args.cache, url: view.url, publicKeys: [...view.publicKeys] } };
}

async function checkedView(model: StackModel, args: CacheSetupArgs, timeoutMs: number | undefined): Promise<CachixCacheView> {
    const [authToken, readToken, signingKey] = await Promise.all([plainOf(args.cachixAuthToken), plainOf(hostsToken(args)), plainOf(args.cachixSigningKey)]);
    const readKey = args.cachixReadToken === undefined ? "cachixAuthToken" : "cachixReadToken";
    const tokens: TokenUse[] = [
        ...(model.github !== undefined && authToken !== undefined
            ? [{ configKey: "cachixAuthToken", token: authToken, needs: "Write" as const, use: "CI pushes with it" }]
            : []),
        ...(model.cache.private && readToken !== undefined
            ? [{ configKey: readKey, token: readToken, needs: "Read" as const, use: "hosts read the private cache with it" }]
            : []),
    ];
    try {
        return await cacheFromCachix({
            cache: declaredCache(model.cache),
            apiUrl: model.cache.cachix.apiUrl,
            create: model.cache.cachix.create && authToken !== undefined ? { token: authToken, configKey: "cachixAuthToken" } : undefined,
            tokens,
            signingKey: model.github?.secret.credential === "signingKey" ? signingKey : undefined,
            timeoutMs,
        });
    } catch (error) {
        // The message alone: what is wrong and what to do, never a token.
        if (error instanceof CachixCheckError || error instanceof CachixApiError) {
            throw new pulumi.RunError(error.message);
        }
        throw error;
    }
}

/** The sections of `args`; an empty key list means "left out": the keys are Cachix's. */
function sectionsOf({ cache, useCacheNixosOrg, extraCaches, github, hosts, mirror }: CacheSetupArgs): StackSections {
    const { publicKeys, ...rest } = cache;
    return { cache: (publicKeys?.length ?? 0) === 0 ? (rest as CacheSetupArgs["cache"]) : cache, useCacheNixosOrg, extraCaches, github, hosts, mirror };
}

/**
 * The value of a secret Input; undefined when it is not known yet (a preview of a token another
 * resource makes), whose check then waits for `up`. Config secrets are known at preview too. An
 * apply would never run for an unknown value, so the Output's own promises are read.
 */
async function plainOf<T>(input: pulumi.Input<T> | undefined): Promise<T | undefined> {
    if (input === undefined) {
        return undefined;
    }
    const output = pulumi.output(input) as unknown as { isKnown: Promise<boolean>; promise(): Promise<T> };
    return (await output.isKnown) ? output.promise() : undefined;
}
