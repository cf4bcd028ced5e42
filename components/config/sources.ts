import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { isAlias, LineCounter, parse, parseDocument, visit } from "yaml";
import { RawStackConfig } from "./load";
import { PROJECT_NAME } from "./model";
import { secretLikeness } from "../formats/secretLike";
import { isSecretSlot } from "./documentRules";
import { ConfigProblem, configPath } from "./problems";
import { describeKey } from "./redact";

/** The running Pulumi program's configuration. */
export function rawConfigFromPulumi(): RawStackConfig {
    const values = pulumi.runtime.allConfig();
    // Which keys the stack holds as secrets has no public API in @pulumi/pulumi 3.248: `Config`
    // only marks what a caller asks for as secret (`getSecret*`, `requireSecret*`) and the runtime
    // exports only allConfig/getConfig/setConfig/setAllConfig. The SDK's own lookup (the one behind
    // `Config.get`'s "secret read as plaintext" warning) is exported but marked @internal; using it
    // beats copying the language host's environment protocol it reads. Secret keys must be known
    // before validation, so that messages never quote their values.
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };
    const secretKeys = new Set(Object.keys(values).filter((key) => runtimeConfig.isConfigSecret(key)));
    return { values, secretKeys };
}

/**
 * The problems only a stack file shows: Pulumi merges a key written both bare and namespaced
 * before a program sees its config, so a running program reads the file to tell. The file is
 * where Pulumi reads it: `Pulumi.STACK.yaml` in the project's `stackConfigDir`. None when the
 * project keeps no such file (an inline program's stack, say).
 */
export function stackFileProblems(projectRoot: string, stack: string): readonly ConfigProblem[] {
    const projectFile = path.join(projectRoot, "Pulumi.yaml");
    const project: unknown = fs.existsSync(projectFile) ? parse(fs.readFileSync(projectFile, "utf8")) : undefined;
    const configDir = isMapping(project) && typeof project.stackConfigDir === "string" ? project.stackConfigDir : ".";
    const file = path.join(projectRoot, configDir, `Pulumi.${stack}.yaml`);
    return fs.existsSync(file) ? (rawConfigFromStackFile(file).problems ?? []) : [];
}

/** A stack file that cannot be read as YAML settings; the message names the file, line and column. */
export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

/** Stack files are small; a larger one is not a stack file (and would be slow to report on). */
const MAX_STACK_FILE_BYTES = 1024 * 1024;
/** Longest parser message shown: it may quote the stack file. */
const MAX_MESSAGE = 120;

/**
 * A stack settings file (`stacks/Pulumi.NAME.yaml`), read without the Pulumi CLI: keys without
 * a namespace belong to the project, and `secure:` values are secrets whose ciphertext is never
 * read. Throws a {@link StackFileError} for a file that is not YAML settings.
 */
export function rawConfigFromStackFile(file: string): RawStackConfig {
    const config = readStackSettings(file);
    const values: Record<string, unknown> = Object.create(null);
    const secretKeys = new Set<string>();
    const spellings = new Map<string, { key: string; secure: boolean }[]>();
    for (const [key, value] of Object.entries(config)) {
        const fullKey = key.includes(":") ? key : `${PROJECT_NAME}:${key}`;
        const isSecure = isSecretSlot(value);
        spellings.set(fullKey, [...(spellings.get(fullKey) ?? []), { key, secure: isSecure }]);
        values[fullKey] = isSecure ? "(encrypted)" : value;
        if (isSecure) {
            secretKeys.add(fullKey);
        }
    }
    const problems = [...spellings].filter(([, spelled]) => spelled.length > 1).map(([fullKey, spelled]) => spelledTwice(fullKey, spelled));
    return { values, secretKeys, problems };
}

/**
 * A setting written both bare and with its namespace (`cache:` and `nix-cache:cache:`): Pulumi
 * keeps one of them, so the file would not say which is in effect. When one is a secret, the
 * other holds its value in plain text.
 */
function spelledTwice(fullKey: string, spelled: readonly { key: string; secure: boolean }[]): ConfigProblem {
    const name = fullKey.slice(fullKey.indexOf(":") + 1);
    const both = spelled.map((s) => describeKey(s.key)).join(" and ");
    const fix = spelled.some((s) => s.secure) && spelled.some((s) => !s.secure)
        ? `; one of them is in plain text in the file: remove both and set it with \`pulumi config set --secret ${describeKey(name)}\``
        : "; expected one of them";
    return { path: configPath([name]), message: `is set twice in this file, as ${both}${fix}` };
}

/** The `config:` mapping of a stack file. */
function readStackSettings(file: string): Record<string, unknown> {
    const fail = (where: string, message: string): never => {
        throw new StackFileError(`Cannot read stack file ${file}: ${where}${shortMessage(message)}`);
    };
    if (fs.statSync(file).size > MAX_STACK_FILE_BYTES) {
        fail("", `larger than ${MAX_STACK_FILE_BYTES} bytes; expected a Pulumi stack settings file`);
    }
    const lineCounter = new LineCounter();
    // YAML 1.2's core tags only: `!!binary`, `!!set`, `!!omap`, `!!pairs` and `!!timestamp` would
    // make values no setting takes (bytes, sets, dates), so they are left unresolved, hence refused.
    const document = parseDocument(fs.readFileSync(file, "utf8"), { lineCounter, prettyErrors: false, uniqueKeys: true, resolveKnownTags: false });
    // Warnings (an unknown tag, say) would change what a value means: treat them as errors.
    for (const error of [...document.errors, ...document.warnings]) {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        fail(`line ${line}, column ${col}: `, error.message);
    }
    // An alias is where a value can go wrong after parsing (one to nothing, or a bomb of them).
    let firstAlias: number | undefined;
    visit(document, (_, node) => {
        if (isAlias(node)) {
            firstAlias ??= node.range?.[0];
            if (node.resolve(document) === undefined) {
                const { line, col } = lineCounter.linePos(node.range?.[0] ?? 0);
                fail(`line ${line}, column ${col}: `, `alias *${node.source} refers to no anchor before it`);
            }
        }
    });
    let root: unknown;
    try {
        root = document.toJS({ maxAliasCount: 100 });
    } catch (error) {
        const { line, col } = lineCounter.linePos(firstAlias ?? 0);
        fail(`line ${line}, column ${col}: `, error instanceof Error ? error.message : String(error));
    }
    const config = root === null || root === undefined ? {} : isMapping(root) ? (root.config ?? {}) : undefined;
    return isMapping(config) ? config : fail("", "expected a YAML mapping with a `config:` mapping of settings");
}

function isMapping(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** A parser message as shown: one line, not too long, and never a secret it quotes. */
function shortMessage(message: string): string {
    const line = message.split("\n")[0];
    if (secretLikeness(line)) {
        return "invalid YAML (details hidden: they quote a value that looks secret)";
    }
    return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 3)}...` : line;
}
