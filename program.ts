import * as pulumi from "@pulumi/pulumi";
import { cacheSetupArgsOf } from "./components/args/ofModel";
import { CacheSetup } from "./components/setup/cacheSetup";
import { cacheSetupArgsFromCachix } from "./components/setup/cachixCheckedArgs";
import { loadStackModel } from "./components/config/load";
import { PROJECT_NAME, StackModel } from "./components/config/model";
import { ConfigValidationError } from "./components/config/problems";
import { definedOnly } from "./components/formats/definedOnly";
import { readSecrets } from "./components/setup/stackSecrets";
import { rawConfigFromPulumi, StackFileError, stackFileProblems } from "./components/config/sources";

/** Validates everything before registering anything: bad config fails here, all at once. */
function loadModel(): StackModel {
    try {
        const raw = rawConfigFromPulumi();
        const root = pulumi.getRootDirectory();
        const problems = [...(raw.problems ?? []), ...(root === "" ? [] : stackFileProblems(root, pulumi.getStack()))];
        return loadStackModel({ ...raw, problems }, { mode: "apply" });
    } catch (error) {
        // A RunError ends the program with the message alone: the problems, no stack trace.
        throw error instanceof ConfigValidationError || error instanceof StackFileError ? new pulumi.RunError(error.message) : error;
    }
}

/**
 * The whole program: reads the stack's config, reads the cache from Cachix and checks the stack
 * and its tokens against it (unless `cache.offline`), builds the {@link CacheSetup} and returns
 * the stack outputs. `index.ts` exports them; engine tests and the demo run it as an inline program.
 */
export async function nixCacheProgram() {
    const model = loadModel();
    // Awaited before anything is registered: a key or token Cachix contradicts changes nothing.
    const args = await cacheSetupArgsFromCachix(cacheSetupArgsOf(model, readSecrets(model)));
    const setup = new CacheSetup(PROJECT_NAME, args);
    return {
        cacheName: setup.identity.cacheName,
        cacheUrl: setup.identity.cacheUrl,
        substituters: setup.identity.substituters,
        trustedPublicKeys: setup.identity.trustedPublicKeys,
        nixConf: setup.identity.nixConf,
        nixosModule: setup.identity.nixosModule,
        // A public cache needs no netrc; say so rather than leave the output undefined.
        netrc: setup.identity.netrc ?? "(public cache: no netrc needed)",
        // Per `owner/repository`, the workflow file the stack commits; and the Actions secrets it sets.
        githubWorkflowFiles: setup.github?.workflowFiles ?? {},
        githubSecrets: setup.github?.secrets ?? [],
        // Per host, what Nix reports in effect there after the last apply.
        hosts: Object.fromEntries(
            setup.hosts.map((host) => [
                host.hostName,
                {
                    substituters: host.effectiveSubstituters,
                    trustedPublicKeys: host.effectiveTrustedPublicKeys,
                    trustedUsers: host.effectiveTrustedUsers,
                },
            ]),
        ),
        // The S3 mirror's, when enabled: absent otherwise, so stacks without one keep their outputs.
        ...definedOnly({
            mirrorSubstituterUrl: setup.mirror?.substituterUrl,
            mirrorPushUrl: setup.mirror?.pushUrl,
            mirrorPublicKey: setup.mirror?.publicKey,
            mirrorPreviousPublicKey: setup.mirror?.previousPublicKey,
            // A secret output (encrypted in state; `pulumi stack output --show-secrets` reveals it),
            // for signing by hand or moving the key elsewhere.
            mirrorSecretKey: setup.mirror?.secretKey,
            mirrorRoleArn: setup.mirror?.roleArn,
            // The account the mirror is in, as its credentials reported it (AWS only).
            mirrorAwsAccountId: setup.mirror?.awsAccountId,
        }),
    };
}
