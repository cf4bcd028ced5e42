import * as pulumi from "@pulumi/pulumi";
import { CacheSetup } from "./components/cacheSetup";
import { loadStackModel } from "./components/config/load";
import { PROJECT_NAME, StackModel } from "./components/config/model";
import { ConfigValidationError } from "./components/config/problems";
import { readSecrets } from "./components/config/secrets";
import { rawConfigFromPulumi } from "./components/config/sources";

/** Validates everything before registering anything: bad config fails here, all at once. */
function loadModel(): StackModel {
    try {
        return loadStackModel(rawConfigFromPulumi(), { mode: "apply" });
    } catch (error) {
        // A RunError ends the program with the message alone: the problems, no stack trace.
        throw error instanceof ConfigValidationError ? new pulumi.RunError(error.message) : error;
    }
}

const model = loadModel();
const setup = new CacheSetup(PROJECT_NAME, { model, secrets: readSecrets(model) });

export const cacheName = setup.identity.cacheName;
export const cacheUrl = setup.identity.cacheUrl;
export const substituters = setup.identity.substituters;
export const trustedPublicKeys = setup.identity.trustedPublicKeys;
export const nixConf = setup.identity.nixConf;
export const nixosModule = setup.identity.nixosModule;
// A public cache needs no netrc; say so rather than leave the output undefined.
export const netrc = setup.identity.netrc ?? "(public cache: no netrc needed)";
// Per `owner/repository`, the workflow file the stack commits; and the Actions secrets it sets.
export const githubWorkflowFiles = setup.github?.workflowFiles ?? {};
export const githubSecrets = setup.github?.secrets ?? [];
// The S3 mirror, when enabled (absent otherwise, so stacks without one keep their outputs).
export const mirrorSubstituterUrl = setup.mirror?.substituterUrl;
export const mirrorPushUrl = setup.mirror?.pushUrl;
export const mirrorPublicKey = setup.mirror?.publicKey;
export const mirrorRoleArn = setup.mirror?.roleArn;
