/**
 * Names as the system that uses each one accepts them: S3, GitHub, Unix, git, Nix. A name that
 * passes here is one that system takes, and one that is safe to copy into the files rendered.
 */
import { PatternRule, Rule } from "./rule";

const pattern = (re: RegExp, expected: string): PatternRule => ({ pattern: re, expected });

/** Host names in this stack: used in resource names and render paths. */
export const hostName = pattern(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "lowercase letters, digits and hyphens (used in resource names and paths)");
/** A Unix login. */
export const unixUser = pattern(/^[a-z_][a-z0-9_-]{0,31}\$?$/, "a Unix user name");
/** A `trusted-users` entry. */
export const trustedUser = pattern(/^@?[a-z_][a-z0-9_.-]{0,31}\$?$/, "a Unix user name or @group");
/**
 * Names every JavaScript object has (`constructor`, `toString`, `__proto__`, ...), plus
 * `prototype`: a lookup by such a key finds the object's own machinery, never a setting.
 */
export const OBJECT_MEMBER_NAMES: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), "prototype"]);

/** A config key of this project's namespace, without the prefix; never a name objects already have. */
export const configKey = pattern(
    new RegExp(`^(?!(${[...OBJECT_MEMBER_NAMES].join("|")})$)[A-Za-z][A-Za-z0-9_]{0,63}$`),
    "a config key name (without the nix-cache: prefix), not a name every object has such as constructor",
);
/** An SSH public host key, as the first two fields of a `.pub` file. */
export const hostKey = pattern(
    /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) AAAA[A-Za-z0-9+/]+={0,2}$/,
    'a public host key "TYPE BASE64", e.g. the first two fields of /etc/ssh/ssh_host_ed25519_key.pub',
);

/** A GitHub login: letters, digits, single inner hyphens, at most 39 characters. */
export const githubOwner = pattern(/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/, "a GitHub user or organisation login (letters, digits, hyphens)");
/** A repository name without its owner. */
export const githubRepository = pattern(/^(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/, "a repository name without owner (letters, digits, '.', '_', '-')");
/**
 * An Actions secret name: GitHub's rules (letters, digits, underscores; not starting with a
 * digit or `GITHUB_`, in any case).
 */
export const githubSecretName = pattern(/^(?![Gg][Ii][Tt][Hh][Uu][Bb]_)[A-Za-z_][A-Za-z0-9_]{0,254}$/, "a secret name of letters, digits and underscores, not starting with a digit or GITHUB_");
/**
 * A deployment environment name: at most 255 characters (GitHub's limit), and only letters,
 * digits, spaces, `.`, `_` and `-` since it is written into the workflow.
 */
export const githubEnvironment = pattern(/^[A-Za-z0-9._-](?:[A-Za-z0-9 ._-]{0,253}[A-Za-z0-9._-])?$/, "a GitHub environment name of letters, digits, spaces, '.', '_', '-' (at most 255 characters)");
/** An action reference; the ref is a tag, branch or SHA, never an expression. */
export const actionReference = pattern(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_./-]+)?@[A-Za-z0-9][A-Za-z0-9_./-]*$/, "an action reference OWNER/REPO@REF");
/** A full commit SHA for pinning an action. */
export const commitSha = pattern(/^[0-9a-f]{40}$/, "a full 40-character lowercase commit SHA");
/** A runner label. */
export const runnerLabel = pattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, "a runner label such as ubuntu-latest");
/** A flake attribute to build. */
export const flakeTarget = pattern(/^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,199}$/, "a flake attribute such as microcosm-all (letters, digits, '_', '.', '+', '-')");
/** The workflow file, under `.github/workflows/`. */
export const workflowPath = pattern(/^\.github\/workflows\/(?=[^/]{1,255}$)[A-Za-z0-9_-][A-Za-z0-9._-]*\.ya?ml$/, "a path like .github/workflows/build.yml (a file name of at most 255 characters)");
/** Text copied into the workflow must not open a `${{ }}` expression GitHub would evaluate. */
export const workflowName = pattern(/^(?![\s\S]*\$\{\{)[^\s\p{Cc}][^\p{Cc}]{0,99}$/u, "a short display name without ${{");
/** A commit author name: one line. */
export const authorName = pattern(/^[^\s\p{Cc}<>][^\p{Cc}<>]{0,99}$/u, "an author name on one line, without < or >");
/** A commit email. */
export const emailAddress = pattern(/^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, "an email address");
/** A commit message: not empty, no control characters but newlines. */
export const commitMessage = pattern(/^(?=[\s\S]{1,1000}$)(?!\s)[^\p{Cc}]*(\n[^\p{Cc}]*)*$/u, "a non-empty commit message");

/**
 * A git branch name by `git check-ref-format --branch`: no `..`, `@{`, space, `~^:?*[\`,
 * control character, empty or dot-started component, `.lock` component end, or trailing `/`.
 */
export const branchName: Rule = (value) => {
    const components = value.split("/");
    const ok = value.length <= 255 && !/[\p{Cc} ~^:?*[\\]|\.\.|@\{/u.test(value) && value !== "@" &&
        !value.startsWith("-") && components.every((c) => c !== "" && !c.startsWith(".") && !c.endsWith(".lock")) && !value.endsWith(".");
    return ok ? undefined : "a branch name such as main";
};

/** A line of `extra_nix_config`: `name = value`, or a comment; no `${{`. */
export const nixConfigLines: Rule = (value) => {
    const lines = value.split("\n").filter((line) => line.trim() !== "" && !line.trim().startsWith("#"));
    const ok = !value.includes("${{") && lines.length > 0 && lines.every((line) => /^\s*[A-Za-z][\w-]*\s*=[^\r]*$/.test(line));
    return ok ? undefined : 'nix.conf lines "name = value" (without ${{)';
};

/**
 * An S3 bucket name by AWS's rules for general purpose buckets: 3-63 lowercase letters,
 * digits, `.` and `-`, starting and ending with a letter or digit, no `..`, `.-` or `-.`, not
 * an IP address, and none of the prefixes and suffixes AWS reserves.
 */
export const bucketName: Rule = (value) => {
    const expected = "an S3 bucket name: 3-63 lowercase letters, digits, '.' or '-'";
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) || /\.\.|\.-|-\./.test(value) || /^\d+\.\d+\.\d+\.\d+$/.test(value)) {
        return expected;
    }
    const prefix = ["xn--", "sthree-", "amzn-s3-demo-"].find((p) => value.startsWith(p));
    const suffix = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"].find((s) => value.endsWith(s));
    const reserved = prefix ? `not starting with "${prefix}"` : suffix ? `not ending with "${suffix}"` : undefined;
    return reserved ? `${expected}, ${reserved} (reserved by AWS)` : undefined;
};
/** An AWS region. */
export const awsRegion = pattern(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, "an AWS region such as us-east-1");
/** A Nix signing key name. */
export const nixKeyName = pattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, "a key name such as atproto-mirror-1");
/** An IAM OIDC provider ARN. */
export const oidcProviderArn = pattern(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/[A-Za-z0-9._/-]+$/, "an IAM OIDC provider ARN");
