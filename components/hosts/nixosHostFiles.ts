import { TrustedCaches } from "../config/trustedCaches";
import { nixStringList } from "../render/nixString";
import { NixosModuleFile, renderCachixLayout } from "../render/nixosModule";
import { NIXOS_TRUSTED_USERS_FILE } from "./layout";

/**
 * The files a NixOS host gets under `/etc/nixos`: the `cachix use` layout, plus a module adding
 * `trusted-users` when the host declares any.
 */
export function nixosHostFiles(trusted: Pick<TrustedCaches, "caches">, trustedUsers: readonly string[]): NixosModuleFile[] {
    const files = renderCachixLayout(trusted);
    if (trustedUsers.length > 0) {
        files.push({ path: NIXOS_TRUSTED_USERS_FILE, content: renderTrustedUsersModule(trustedUsers) });
    }
    return files;
}

/**
 * NixOS merges list definitions from every module, so the host's own `trusted-users` stay.
 * A definition replaces the option's default (`[ "root" ]`), so root is listed here too.
 */
export function renderTrustedUsersModule(trustedUsers: readonly string[]): string {
    const users = ["root", ...trustedUsers.filter((user) => user !== "root")];
    return [
        "# Managed by nix-cache: changes here are overwritten on the next `pulumi up`.",
        "{",
        `  nix.settings.trusted-users = ${nixStringList(users, 2)};`,
        "}",
        "",
    ].join("\n");
}
