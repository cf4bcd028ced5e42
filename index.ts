import { CacheSetup } from "./components/cacheSetup";
import { loadStackModel } from "./components/config/load";
import { PROJECT_NAME } from "./components/config/model";
import { rawConfigFromPulumi } from "./components/config/sources";
import { readSecrets } from "./components/config/secrets";

// Validate everything before registering anything: bad config fails here, all at once.
const model = loadStackModel(rawConfigFromPulumi(), { mode: "apply" });
const setup = new CacheSetup(PROJECT_NAME, { model, secrets: readSecrets(model) });

export const cacheName = setup.identity.cacheName;
export const cacheUrl = setup.identity.cacheUrl;
export const substituters = setup.identity.substituters;
export const trustedPublicKeys = setup.identity.trustedPublicKeys;
export const nixConf = setup.identity.nixConf;
export const nixosModule = setup.identity.nixosModule;
export const netrc = setup.identity.netrc;
