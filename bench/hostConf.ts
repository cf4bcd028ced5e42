import * as fs from "fs";
import * as path from "path";
import { loadStackModel } from "../components/config/load";
import { PROJECT_NAME } from "../components/config/model";
import { trustedCaches } from "../components/config/trustedCaches";
import { renderNixConfLines } from "../components/render/nixConf";
import { machineNixSettings } from "../scripts/localhost/localNix";

/**
 * Makes `confDir` the Nix config of a host configured by the project for one cache: the stack
 * model is validated as `pulumi up` validates it, and nix.conf holds the machine settings every
 * local Nix uses, then exactly the lines the project's renderer writes. cache.nixos.org is left out: the benchmark has no network, and a
 * substituter Nix cannot reach would only add its timeouts to every substitution.
 */
export function writeHostConf(confDir: string, cacheName: string, cacheUrl: string, publicKey: string): string {
    const model = loadStackModel(
        {
            values: {
                [`${PROJECT_NAME}:cache`]: { name: cacheName, url: cacheUrl, publicKeys: [publicKey] },
                [`${PROJECT_NAME}:useCacheNixosOrg`]: false,
            },
            secretKeys: new Set(),
        },
        { mode: "apply" },
    );
    const text = renderNixConfLines(trustedCaches(model));
    fs.mkdirSync(confDir, { recursive: true });
    fs.writeFileSync(path.join(confDir, "nix.conf"), machineNixSettings() + text);
    return text;
}
