import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { isAlias, LineCounter, parseDocument, visit } from "yaml";
import { RawStackConfig } from "./load";
import { PROJECT_NAME } from "./model";
import { secretLikeness } from "../formats/secretLike";

/** The running Pulumi program's configuration. */
export function rawConfigFromPulumi(): RawStackConfig {
    const values = pulumi.runtime.allConfig();
    // The SDK exports the secret-key lookup it uses for `Config.get` warnings, but not in its typings.
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };
    const secretKeys = new Set(Object.keys(values).filter((key) => runtimeConfig.isConfigSecret(key)));
    return { values, secretKeys };
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
    const values: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    for (const [key, value] of Object.entries(config)) {
        const fullKey = key.includes(":") ? key : `${PROJECT_NAME}:${key}`;
        const isSecure = typeof value === "object" && value !== null && "secure" in value;
        values[fullKey] = isSecure ? "(encrypted)" : value;
        if (isSecure) {
            secretKeys.add(fullKey);
        }
    }
    return { values, secretKeys };
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
    const document = parseDocument(fs.readFileSync(file, "utf8"), { lineCounter, prettyErrors: false, uniqueKeys: true });
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
