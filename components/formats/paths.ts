import { Rule } from "./rule";

/** The longest path accepted: far below Linux's PATH_MAX (4096), so files under it fit too. */
export const MAX_PATH_LENGTH = 1024;
/** The longest name of one file or directory (Linux's NAME_MAX). */
export const MAX_NAME_LENGTH = 255;

/**
 * An absolute POSIX path in normal form: no `.` or `..` segment, no `//`, no trailing `/`,
 * only letters, digits, `.`, `_`, `-` and `/` (it is written into shell scripts and Nix
 * files), at most {@link MAX_PATH_LENGTH} characters with no segment over {@link MAX_NAME_LENGTH}.
 * Such a path names one place, whatever the current directory.
 */
export const absolutePathRule: Rule = (value) => {
    const segments = value.split("/");
    const normal = value === "/" || (!value.endsWith("/") && !value.includes("//") && !segments.some((segment) => segment === "." || segment === ".."));
    if (!/^\/[A-Za-z0-9._/-]*$/.test(value) || !normal) {
        return "an absolute path in normal form (no '.', '..', '//' or trailing '/') of letters, digits, '.', '_', '-', '/'";
    }
    const fits = value.length <= MAX_PATH_LENGTH && segments.every((segment) => segment.length <= MAX_NAME_LENGTH);
    return fits ? undefined : `a path of at most ${MAX_PATH_LENGTH} characters, each name in it at most ${MAX_NAME_LENGTH}`;
};

/** A directory the project writes its own files into: an absolute path, and not `/` itself. */
export const fileDirectoryRule: Rule = (value) => absolutePathRule(value) ?? (value === "/" ? "a directory other than / (files are written into it)" : undefined);
