import { nixCacheProgram } from "./program";

export const {
    cacheName,
    cacheUrl,
    substituters,
    trustedPublicKeys,
    nixConf,
    nixosModule,
    netrc,
    githubWorkflowFiles,
    githubSecrets,
    mirrorSubstituterUrl,
    mirrorPushUrl,
    mirrorPublicKey,
    mirrorRoleArn,
    hosts,
} = nixCacheProgram();
