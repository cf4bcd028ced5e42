import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { run } from "./commands";
import { ensureNix } from "./ensureNix";
import { duration, ratio, sig3 } from "./format";
import { writeHostConf } from "./hostConf";
import { CacheServer, serveCacheDir } from "../scripts/localhost/cacheServer";
import { generateCacheKey } from "../scripts/localhost/nixStore";
import { buildFromSource, deletePaths, instantiate, narSize, signAndCopy, substitute, Workload } from "./nixSteps";
import { BenchOptions, BenchPart, PartResult, ResultRow } from "./part";
import { median } from "./stats";

const MiB = 2 ** 20;
/** The guide's Rust figures: 15–30 min without the cache, 5–10 s with it. */
const GUIDE = { withoutMs: [15 * 60_000, 30 * 60_000], withMs: [5_000, 10_000] } as const;
const FULL = { builds: 3, substitutionsPerBuild: 3, cpuTargetMs: 6_000, dataBytes: 50 * MiB };
const QUICK = { builds: 1, substitutionsPerBuild: 1, cpuTargetMs: 1_500, dataBytes: 10 * MiB };
type Settings = typeof FULL;

/** A configured host and the cache it reads. */
interface Setup {
    readonly server: CacheServer;
    readonly cacheDir: string;
    readonly secretKeyFile: string;
    /** NIX_CONF_DIR of the host, its nix.conf written by the project's renderer. */
    readonly confDir: string;
    readonly work: string;
}

interface CaseResult {
    readonly workload: Workload;
    readonly narBytes: number;
    readonly builds: number[];
    /** Per build, its substitutions. */
    readonly substitutions: number[][];
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
const nonce = () => `${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;

/** Bytes of zeros sha256sum hashes in about `targetMs` here (the machine sets the scale). */
async function calibrate(targetMs: number): Promise<number> {
    const probe = 256 * MiB;
    const { ms } = await run("/bin/sh", ["-c", `head -c ${probe} /dev/zero | sha256sum`]);
    return Math.max(16, Math.round((probe * targetMs) / ms / MiB)) * MiB;
}

/** The substitution must have fetched this path's narinfo and a NAR from the cache. */
function checkServed(requests: readonly string[], storePath: string): void {
    const hash = path.basename(storePath).slice(0, 32);
    if (!requests.includes(`GET /${hash}.narinfo 200`) || !requests.some((r) => /^GET \/nar\/\S+ 200$/.test(r))) {
        throw new Error(`substitution of ${storePath} did not fetch its narinfo and NAR over HTTP (requests: ${requests.join(", ")})`);
    }
}

/** Build from source, push, then substitute the same output on the configured host, repeatedly. */
async function runCase(setup: Setup, workload: Workload, settings: Settings, options: BenchOptions): Promise<CaseResult> {
    const builds: number[] = [];
    const perBuild: number[][] = [];
    let narBytes = 0;
    for (let b = 0; b < settings.builds; b++) {
        const drv = await instantiate(workload, nonce());
        let outPath = "";
        try {
            const built = await buildFromSource(drv);
            outPath = built.outPath;
            narBytes = await narSize(outPath);
            await signAndCopy(outPath, setup.secretKeyFile, setup.cacheDir);
            const substitutions: number[] = [];
            for (let s = 0; s < settings.substitutionsPerBuild; s++) {
                await deletePaths([outPath]);
                const before = setup.server.requests.length;
                substitutions.push(await substitute(outPath, setup.confDir));
                checkServed(setup.server.requests.slice(before), outPath);
            }
            builds.push(built.ms);
            perBuild.push(substitutions);
            options.log(`substitution ${workload.kind}: build ${duration(built.ms)}, substitute ${substitutions.map(duration).join(", ")}`);
        } finally {
            await deletePaths(outPath === "" ? [drv] : [outPath, drv]);
        }
    }
    return { workload, narBytes, builds, substitutions: perBuild };
}

/**
 * The timed substitution includes the signature check: a host trusting another key must
 * refuse the same kind of path. Checked once, on a tiny derivation.
 */
async function checkSignaturesEnforced(setup: Setup): Promise<void> {
    const other = await generateCacheKey(setup.work, "bench.cachix.org-2");
    const wrongConf = path.join(setup.work, "host-wrong-key");
    writeHostConf(wrongConf, "bench", setup.server.url, other.publicKey);
    const drv = await instantiate({ kind: "data", bytes: 1024 }, nonce());
    const { outPath } = await buildFromSource(drv);
    try {
        await signAndCopy(outPath, setup.secretKeyFile, setup.cacheDir);
        await deletePaths([outPath]);
        const refused = await substitute(outPath, wrongConf).then(() => false, () => true);
        if (!refused) {
            throw new Error("a host trusting another key substituted a path signed with the cache's key: signatures are not checked");
        }
        await substitute(outPath, setup.confDir);
    } finally {
        await deletePaths([outPath, drv]);
    }
}

const subMedian = (c: CaseResult) => median(c.substitutions.flat());
/** Build i and its substitutions ran back to back: the median of their ratios. */
const pairedRatio = (c: CaseResult) => median(c.builds.map((ms, i) => ms / median(c.substitutions[i])));

function caseLabel(c: CaseResult): string {
    const size = c.narBytes >= MiB ? `${sig3(c.narBytes / MiB)} MiB` : c.narBytes >= 1024 ? `${sig3(c.narBytes / 1024)} KiB` : `${c.narBytes} B`;
    return c.workload.kind === "cpu"
        ? `CPU-bound build: sha256 of ${c.workload.bytes / MiB} MiB of zeros (${size} output)`
        : `large output: ${size} of random data`;
}

function row(c: CaseResult): ResultRow {
    return {
        part: "substitution",
        case: caseLabel(c),
        subject: "build from source",
        subjectValue: duration(median(c.builds)),
        reference: "substitute from cache",
        referenceValue: duration(subMedian(c)),
        ratio: ratio(pairedRatio(c)),
        memory: "—",
        runs: `${plural(c.builds.length, "build")}, ${plural(c.substitutions.flat().length, "substitution")}`,
    };
}

function findings(cpu: CaseResult, data: CaseResult): string[] {
    const perPathMs = subMedian(cpu);
    const perMiBMs = Math.max(0, (subMedian(data) - perPathMs) / ((data.narBytes - cpu.narBytes) / MiB));
    const guideLow = GUIDE.withoutMs[0] / GUIDE.withMs[1];
    const guideHigh = GUIDE.withoutMs[1] / GUIDE.withMs[0];
    const fifteenMinutes = GUIDE.withoutMs[0] / (perPathMs + perMiBMs * (data.narBytes / MiB));
    const guideGiB = GUIDE.withMs.map((ms) => sig3((ms - perPathMs) / perMiBMs / 1024));
    return [
        `build/substitute: ${ratio(pairedRatio(cpu))} for a ${duration(median(cpu.builds))} CPU-bound build with a small output; ` +
            `${ratio(pairedRatio(data))} for a ${sig3(data.narBytes / MiB)} MiB output that is cheap to build`,
        `the guide claims ${guideLow}–${guideHigh}× (Rust services: 15–30 min without the cache, 5–10 s with Cachix)`,
        `substitution here costs ≈ ${duration(perPathMs)} per path + ${sig3(perMiBMs)} ms per MiB (loopback HTTP, zstd, signature and NAR hash checked): ` +
            `the ratio is build time over that, not a property of the cache`,
        `at that cost a 15-minute build with a ${sig3(data.narBytes / MiB)} MiB output would substitute ~${Math.round(fifteenMinutes)}× faster (an extrapolation); ` +
            `the guide's 5–10 s would move ${guideGiB.join("–")} GiB here, so it is download time over a real network: its 90–360× is plausible and set by the network, not by Nix`,
    ];
}

const METHOD = [
    "Substitution: per case, a new derivation (a nonce in its name, so nothing is cached) with builder /bin/sh and coreutils (Debian's Nix builds without a sandbox).",
    "Build from source: `nix-store --realise DRV --option substituters ''`, timed as a process from start to exit.",
    "Then `nix store sign --key-file` with a key from `nix-store --generate-binary-cache-key`, `nix copy --to file://CACHE?compression=zstd` (not timed), served over HTTP on 127.0.0.1 by the runner.",
    "Substitute: `nix-store --delete OUT`, then `nix-store --realise OUT` with NIX_CONF_DIR holding only the nix.conf that `renderNixConfLines` writes for a model whose cache is the local URL and key, and a fresh HOME (no cached narinfo). Timed from start to exit: narinfo fetch, signature check, NAR download, zstd decompression, NAR-hash check and unpacking.",
    "Each substitution is checked to have fetched the path's narinfo and NAR over HTTP; once per run, a host trusting another key must refuse a signed path.",
    "Figures are medians; the ratio is the median over builds of build time / median substitution time of that build's output, measured back to back.",
];

/** Part 3: how much a configured host gains from the cache. */
export const substitution: BenchPart = {
    name: "substitution",
    title: "Substitution from a local binary cache vs building from source",
    async run(options: BenchOptions): Promise<PartResult> {
        const skipped = ensureNix(options);
        if (skipped !== undefined) {
            return { rows: [], findings: [], method: METHOD, skipped };
        }
        const settings = options.quick ? QUICK : FULL;
        const work = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-bench-"));
        const cacheDir = path.join(work, "cache");
        fs.mkdirSync(cacheDir);
        const server = await serveCacheDir(cacheDir);
        try {
            const key = await generateCacheKey(work, "bench.cachix.org-1");
            const confDir = path.join(work, "host");
            writeHostConf(confDir, "bench", server.url, key.publicKey);
            const setup: Setup = { server, cacheDir, secretKeyFile: key.secretFile, confDir, work };
            await checkSignaturesEnforced(setup);
            const cpuBytes = await calibrate(settings.cpuTargetMs);
            const cpu = await runCase(setup, { kind: "cpu", bytes: cpuBytes }, settings, options);
            const data = await runCase(setup, { kind: "data", bytes: settings.dataBytes }, settings, options);
            return { rows: [row(cpu), row(data)], findings: findings(cpu, data), method: METHOD };
        } finally {
            await server.close();
            fs.rmSync(work, { recursive: true, force: true });
        }
    },
};
