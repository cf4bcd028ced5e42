/**
 * A package the library declares as an optional peer dependency, required on first use rather
 * than when the library is imported: a program that never uses what needs it (a hosts-only
 * setup has no GitHub CI and no S3 mirror) runs without it installed. Every property read goes
 * to the package itself, loaded once; without it installed, the first read throws an error that
 * names the package and what needs it.
 */
export function optionalPeer<T extends object>(name: string, neededBy: string, load: () => T): T {
    let loaded: T | undefined;
    const target = (): T => {
        if (loaded === undefined) {
            try {
                loaded = load();
            } catch (error) {
                const code = (error as { code?: unknown }).code;
                if (code === "MODULE_NOT_FOUND" && String((error as Error).message).includes(`'${name}'`)) {
                    throw new Error(`${neededBy} needs the package ${name}, an optional peer dependency of nix-cache that is not installed; install it beside nix-cache (npm install ${name})`);
                }
                throw error;
            }
        }
        return loaded;
    };
    return new Proxy({} as T, {
        get: (_empty, key) => Reflect.get(target(), key),
        has: (_empty, key) => Reflect.has(target(), key),
    });
}
