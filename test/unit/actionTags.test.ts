import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { resolveAction } from "../../components/github/actionRefs";
import { commitOfTag, versionOfCommit } from "../../components/github/actionTags";
import { ACTION_TAGS } from "../../components/github/actionVersions";
import { WORKFLOW_DEFAULTS } from "../../components/config/githubSection";
import { DEFAULT_ACTIONS_TSV, parseActionsTsv, renderActionTable } from "../../scripts/actionTable";
import { githubModel, ATPROTO_GITHUB } from "../support/githubModels";

const TSV = process.env.NIX_CACHE_ACTIONS_TSV ?? DEFAULT_ACTIONS_TSV;
const haveTsv = fs.existsSync(TSV);
if (!haveTsv) {
    const message = `the actions' tag table ${TSV} is missing (set NIX_CACHE_ACTIONS_TSV to its path)`;
    if (process.env.CI) {
        throw new Error(message);
    }
    console.warn(`SKIPPED: ${message}`);
}

const CHECKOUT_V7 = "3d3c42e5aac5ba805825da76410c181273ba90b1";
const CACHIX_V17 = "1eb2ef646ac0255473d23a5907ad7b04ce94065c";
const actions = (extra: Record<string, unknown> = {}) => githubModel({ ...ATPROTO_GITHUB, workflow: { actions: extra } }).github.workflow.actions;

describe.skipIf(!haveTsv)("the committed action table", () => {
    it("is exactly what scripts/actionTable.ts makes of the TSV", () => {
        const committed = fs.readFileSync(path.resolve(__dirname, "../../components/github/actionVersions.ts"), "utf8");
        expect(committed).toBe(renderActionTable(parseActionsTsv(fs.readFileSync(TSV, "utf8"))));
    });
});

describe("action tags", () => {
    it("refuses a malformed TSV row, naming the line", () => {
        expect(() => parseActionsTsv("action\ttag\tcommit\truntime\nactions/checkout\tv7\tnot-a-sha\tnode24\n")).toThrow(/^line 2 is not/);
    });

    it("the defaults are the current majors, each on a node24 or composite runtime the table knows", () => {
        expect(Object.values(WORKFLOW_DEFAULTS.actions)).toEqual([
            "actions/checkout@v7",
            "cachix/install-nix-action@v31",
            "cachix/cachix-action@v17",
            "aws-actions/configure-aws-credentials@v6",
        ]);
        for (const reference of Object.values(WORKFLOW_DEFAULTS.actions)) {
            const [action, tag] = reference.split("@");
            expect(ACTION_TAGS.find((t) => t.action === action && t.tag === tag)?.runtime, reference).toMatch(/^(node24|composite)$/);
        }
    });

    it("a commit's comment is the most specific tag at it; an unknown commit has none", () => {
        expect(versionOfCommit("actions/checkout", CHECKOUT_V7)).toBe("v7.0.1");
        expect(versionOfCommit("cachix/cachix-action", CACHIX_V17)).toBe("v17");
        expect(versionOfCommit("cachix/cachix-action", "0".repeat(40))).toBeUndefined();
        expect(commitOfTag("cachix/cachix-action", "v17")).toBe(CACHIX_V17);
        expect(commitOfTag("cachix/cachix-action", "v99")).toBeUndefined();
    });
});

describe("resolveAction", () => {
    it("pins a known tag by default to its commit with the exact version", () => {
        expect(resolveAction("actions/checkout@v7", actions())).toEqual({ uses: `actions/checkout@${CHECKOUT_V7}`, comment: "v7.0.1" });
        expect(resolveAction("cachix/cachix-action@v16", actions())).toEqual({ uses: "cachix/cachix-action@3ba601ff5bbb07c7220846facfa2cd81eeee15a1", comment: "v16" });
    });

    it("keeps tags with pin: tag, and a tag the table does not know", () => {
        expect(resolveAction("actions/checkout@v7", actions({ pin: "tag" }))).toEqual({ uses: "actions/checkout@v7" });
        expect(resolveAction("DeterminateSystems/nix-installer-action@v21", actions({ installNix: "DeterminateSystems/nix-installer-action@v21" }))).toEqual({
            uses: "DeterminateSystems/nix-installer-action@v21",
        });
    });

    it("labels an explicit pin by what the commit is, not by the configured tag", () => {
        // v17's commit configured under a v16 reference: the comment says v17.
        const pinned = actions({ cachix: "cachix/cachix-action@v16", pins: { "cachix/cachix-action": CACHIX_V17 } });
        expect(resolveAction(pinned.cachix, pinned)).toEqual({ uses: `cachix/cachix-action@${CACHIX_V17}`, comment: "v17" });
        const unknown = actions({ pins: { "cachix/cachix-action": "0123456789abcdef0123456789abcdef01234567" } });
        expect(resolveAction(unknown.cachix, unknown)).toEqual({ uses: "cachix/cachix-action@0123456789abcdef0123456789abcdef01234567" });
        expect(resolveAction(`actions/checkout@${CHECKOUT_V7}`, actions({ checkout: `actions/checkout@${CHECKOUT_V7}` }))).toEqual({
            uses: `actions/checkout@${CHECKOUT_V7}`,
            comment: "v7.0.1",
        });
    });
});
