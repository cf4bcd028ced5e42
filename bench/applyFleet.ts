import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { performance } from "perf_hooks";
import { OpMap } from "@pulumi/pulumi/automation";
import { BinaryCache } from "../scripts/localhost/binaryCache";
import { BuilderHost, startBuilderHost } from "../scripts/localhost/builderHost";
import { recordUp } from "../scripts/localhost/engine/engineRun";
import { createEngineStack, engineConfig, EngineStack, hostEntry } from "../scripts/localhost/engine/engineStack";
import { substituteOnHost } from "../scripts/localhost/engine/hostSubstitute";

/** The three `up`s of a trial, in the order they run. */
export const STEPS = ["first", "noop", "rotation"] as const;
export type Step = (typeof STEPS)[number];

/** One `up`, as measured. */
export interface UpMeasurement {
    /** Wall time of `stack.up`, CLI start to exit. */
    readonly ms: number;
    /** The engine's own change summary, e.g. `{ create: 23 }`. */
    readonly changes: OpMap;
    /** Per host, the logins its sshd accepted during the up. */
    readonly sessions: readonly number[];
}

/** A fresh fleet and a fresh stack, brought up, left alone, then given a new token. */
export interface Trial {
    readonly hosts: number;
    readonly steps: Readonly<Record<Step, UpMeasurement>>;
}

/** No substituters of its own: only the benchmark's cache could serve the host. */
const OWN_NIX_CONF = "# a benchmark host's own settings\n";

const newToken = () => `bench-token.${randomBytes(12).toString("hex")}`;
// Every host has its own client key, so each needs its own secret config key.
const keyName = (i: number) => `sshKeyHost${i}`;

function stackConfig(cache: BinaryCache, hosts: readonly BuilderHost[], token: string) {
    return engineConfig({
        cache: { url: cache.url, publicKey: cache.publicKey, private: true },
        hosts: hosts.map((host, i) => hostEntry(`h${i}`, host, { privateKeySecret: keyName(i) })),
        cachixAuthToken: token,
        privateKeys: Object.fromEntries(hosts.map((host, i) => [keyName(i), host.privateKey])),
    });
}

async function timedUp(engine: EngineStack, hosts: readonly BuilderHost[], what: string): Promise<UpMeasurement> {
    const before = hosts.map((host) => host.logins());
    const start = performance.now();
    const run = await recordUp(engine.stack, engine.transcript);
    const ms = performance.now() - start;
    if (run.error !== undefined || run.summary.result !== "succeeded") {
        throw new Error(`${what} failed (${run.summary.result}): ${(run.error?.message ?? "").slice(-3000)}`);
    }
    return { ms, changes: run.summary.resourceChanges ?? {}, sessions: hosts.map((host, i) => host.logins() - before[i]) };
}

/**
 * The rotation must have reached every host: its netrc holds the new token. Read from the
 * files, not over SSH, so the check adds no session. With `substitute`, one host also fetches
 * the cache's path, which only the new token opens (after the counting, so it is not counted).
 */
async function checkRotated(hosts: readonly BuilderHost[], cache: BinaryCache, token: string, substitute: boolean): Promise<void> {
    const expected = `machine ${new URL(cache.url).hostname} password ${token}\n`;
    const stale = hosts.filter((host) => fs.readFileSync(path.join(host.nixConfDir, "netrc"), "utf8") !== expected);
    if (stale.length > 0) {
        throw new Error(`after the rotation ${stale.length} of ${hosts.length} hosts' netrc do not hold the new token`);
    }
    if (substitute) {
        const fetched = await substituteOnHost(hosts[0], cache.storePath);
        if (fetched.code !== 0) {
            throw new Error(`a host could not substitute with the rotated token:\n${fetched.output.slice(-2000)}`);
        }
    }
}

/**
 * One trial with `count` hosts (each its own sshd on a free port, fresh directories) and a
 * fresh stack with local file state. `cache` is shared across trials; its token is rotated.
 */
export async function runTrial(count: number, cache: BinaryCache, options: { substituteCheck: boolean; log: (line: string) => void }): Promise<Trial> {
    const engine = await createEngineStack(`apply${count}`);
    const hosts: BuilderHost[] = [];
    try {
        // One by one: a free port is only known free until something binds it.
        for (let i = 0; i < count; i++) {
            hosts.push(await startBuilderHost({ dir: path.join(engine.root, "hosts", `h${i}`), ownNixConf: OWN_NIX_CONF }));
        }
        const first = newToken();
        cache.token = first;
        await engine.stack.setAllConfig(stackConfig(cache, hosts, first));
        const firstUp = await timedUp(engine, hosts, `${count} hosts: first up`);
        const noop = await timedUp(engine, hosts, `${count} hosts: no-op up`);
        const rotated = newToken();
        cache.token = rotated;
        await engine.stack.setAllConfig(stackConfig(cache, hosts, rotated));
        const rotation = await timedUp(engine, hosts, `${count} hosts: rotation up`);
        await checkRotated(hosts, cache, rotated, options.substituteCheck);
        options.log(`apply ${count} host${count === 1 ? "" : "s"}: first ${ms(firstUp)}, no-op ${ms(noop)}, rotation ${ms(rotation)}`);
        return { hosts: count, steps: { first: firstUp, noop, rotation } };
    } finally {
        // Stops every sshd; the hosts' directories are under the stack's root, removed with it.
        await Promise.all(hosts.map((host) => host.remove()));
        await engine.remove();
    }
}

const ms = (m: UpMeasurement) => `${Math.round(m.ms)} ms`;
