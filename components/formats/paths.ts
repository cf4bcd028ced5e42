import { Rule } from "./rule";

/**
 * An absolute POSIX path in normal form: no `.` or `..` segment, no `//`, no trailing `/`,
 * only letters, digits, `.`, `_`, `-` and `/` (it is written into shell scripts and Nix
 * files). Such a path names one place, whatever the current directory.
 */
export const absolutePathRule: Rule = (value) => {
    const normal = value === "/" ||
        (!value.endsWith("/") && !value.includes("//") && !value.split("/").some((segment) => segment === "." || segment === ".."));
    return /^\/[A-Za-z0-9._/-]*$/.test(value) && normal
        ? undefined
        : "an absolute path in normal form (no '.', '..', '//' or trailing '/') of letters, digits, '.', '_', '-', '/'";
};
