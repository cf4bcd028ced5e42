import { EngineConfig } from "../../../scripts/localhost/engine/engineStack";

/**
 * A stack of `hosts` on a public cache nobody serves (hosts get its settings; nothing fetches
 * from it), every host logging in with `privateKey` as `sshPrivateKey`.
 */
export function keyOnlyConfig(hosts: EngineConfig["hosts"], privateKey: string): EngineConfig {
    return {
        cache: { url: "http://127.0.0.1:9", publicKey: "engine.cachix.org-1:nwFwvaBUbiLCjv87hHeMXDx6QFDlaCTqC4dqc4iLYt4=", private: false },
        hosts,
        privateKeys: { sshPrivateKey: privateKey },
    };
}
