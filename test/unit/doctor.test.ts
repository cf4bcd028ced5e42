import { describe, expect, it } from "vitest";
import { doctorArgs, doctorCache } from "../../cli/doctor";
import { doctorScript, HostFacts, parseDoctorOutput, settingWords } from "../../cli/doctorFacts";
import { diagnose, DoctorExpectation, formatDiagnosis, isTrustedUser } from "../../cli/doctorSteps";
import { loadStackModel } from "../../components/config/load";
import { rawConfig } from "../support/config";

const URL = "https://e2e.cachix.org";
const KEY = "e2e.cachix.org-1:nwFwvaBUbiLCjv87hHeMXDx6QFDlaCTqC4dqc4iLYt4=";
const PATH = "/nix/store/0a8vl5y8c5x3kk0m8c2bh9b8x6gnydqk-hello";
const WANT: DoctorExpectation = { cacheUrl: URL, publicKeys: [KEY], storePath: PATH, host: "box", private: true };
const ok = (output = "") => ({ exit: 0, output });
const config = (lines: Record<string, string>) => Object.entries(lines).map(([k, v]) => `${k} = ${v}`).join("\n");
const GOOD_CONFIG = config({ substituters: `${URL}/`, "trusted-public-keys": KEY, "trusted-users": "root", "netrc-file": "/etc/nix/netrc" });

const GOOD: HostFacts = {
    user: "root",
    groups: ["root"],
    daemon: true,
    client: ok(GOOD_CONFIG),
    system: ok(GOOD_CONFIG),
    ping: ok(`Store URL: ${URL}`),
    info: ok(JSON.stringify([{ path: PATH, signatures: ["e2e.cachix.org-1:AAAA"] }])),
    verify: ok(),
    local: false,
    netrc: "readable",
    dryRun: ok(`this path will be fetched (0.01 MiB download):\n  ${PATH}\n`),
};
const statuses = (facts: HostFacts) => diagnose(facts, WANT).map((s) => `${s.step} ${s.status}`);

describe("doctor decisions", () => {
    it("all ok on a host that would fetch the path; already present counts too", () => {
        expect(statuses(GOOD)).toEqual(["substituter ok", "key ok", "trust ok", "cache ok", "path ok", "signature ok", "substitute ok"]);
        expect(diagnose({ ...GOOD, local: true, dryRun: ok() }, WANT).at(-1)!.detail).toBe(`${PATH} is already in the host's store`);
    });

    it("names a missing substituter or key, with the fix", () => {
        const steps = diagnose({ ...GOOD, client: ok(config({ substituters: "https://cache.nixos.org", "trusted-public-keys": "other-1:x" })), system: ok("") }, WANT);
        expect(steps[0]).toEqual({ step: "substituter", status: "finding", detail: `${URL} is not in substituters (https://cache.nixos.org); the daemon's own files do not`, fix: `add ${URL} to the host's substituters: run \`pulumi up\` for host box (it declares the cache there)` });
        expect(steps[1]).toMatchObject({ step: "key", status: "finding", detail: "none of the cache's keys (e2e.cachix.org-1) is in trusted-public-keys (other-1); the daemon's own files do not" });
        expect(diagnose({ ...GOOD, daemon: false }, WANT)[0].detail).toBe(`${URL} is in substituters`);
        expect(diagnose(GOOD, WANT)[0].detail).toBe(`${URL} is in substituters; the daemon's own files have it`);
    });

    it("an untrusted user matters only when the daemon's own settings lack the cache", () => {
        const userOnly = { ...GOOD, user: "alice", groups: ["alice", "users"], system: ok(config({ "trusted-users": "root @wheel" })) };
        expect(statuses(userOnly)[2]).toBe("trust finding");
        expect(statuses({ ...userOnly, groups: ["wheel"] })[2]).toBe("trust ok");
        expect(statuses({ ...userOnly, system: ok(config({ "trusted-users": "root", "trusted-substituters": URL, "trusted-public-keys": KEY })) })[2]).toBe("trust ok");
        expect(statuses({ ...userOnly, daemon: false })[2]).toBe("trust ok");
        // The running daemon's own answer outranks its files: they may be newer than it.
        const trustedInFiles = { ...userOnly, system: ok(config({ "trusted-users": "root alice" })) };
        expect(diagnose({ ...trustedInFiles, daemonTrusts: false }, WANT)[2]).toMatchObject({ status: "finding", fix: "restart nix-daemon (for example `systemctl restart nix-daemon`) so it reads its nix.conf" });
        expect(diagnose({ ...trustedInFiles, daemonTrusts: true }, WANT)[2].detail).toBe("alice is in the daemon's trusted-users (the running nix-daemon, asked over its socket, agrees)");
        expect(diagnose({ ...userOnly, daemonTrusts: true }, WANT)[2]).toMatchObject({ status: "ok", detail: "the running nix-daemon trusts alice, though its files no longer say so (a restart would end that)" });
        expect([isTrustedUser("a", [], ["*"]), isTrustedUser("a", ["g"], ["@g"]), isTrustedUser("a", ["g"], ["root", "@h"])]).toEqual([true, true, false]);
    });

    it("a refused cache points at the netrc; an unreachable one at the network; later cache steps are skipped", () => {
        const refused = diagnose({ ...GOOD, ping: { exit: 1, output: `error: '${URL}' does not appear to be a binary cache\n` } }, WANT);
        expect(refused[3].fix).toBe("put the cache's valid token in /etc/nix/netrc (`machine e2e.cachix.org password TOKEN`): set cachixAuthToken and run `pulumi up` for host box (it declares the cache there)");
        expect(refused.slice(4, 6).map((s) => s.status)).toEqual(["skipped", "skipped"]);
        const fixOf = (netrc: HostFacts["netrc"]) => diagnose({ ...GOOD, user: "alice", netrc, ping: { exit: 1, output: "error: 'x' does not appear to be a binary cache" } }, WANT)[3].fix;
        expect(fixOf("unreadable")).toBe("/etc/nix/netrc is not readable by alice, so this check could not send its token: run the doctor as a host user that can read it (root)");
        expect(fixOf("missing")).toBe("give the host a netrc with the cache's token (`machine e2e.cachix.org password TOKEN` at /etc/nix/netrc, which does not exist): set cachixAuthToken and run `pulumi up` for host box (it declares the cache there)");
        const unreachable = diagnose({ ...GOOD, ping: { exit: 1, output: "error: unable to download: Couldn't resolve host name (6)\n" } }, WANT);
        expect(unreachable[3].fix).toBe(`make ${URL} reachable from the host (network, DNS, proxy)`);
    });

    it("an absent path and one signed by another key", () => {
        expect(statuses({ ...GOOD, info: ok(JSON.stringify([{ path: PATH, valid: false }])) }).slice(4, 6)).toEqual(["path finding", "signature skipped"]);
        const stranger = diagnose({ ...GOOD, info: ok(JSON.stringify([{ path: PATH, signatures: ["x-1:AAAA"] }])), verify: { exit: 2, output: `path '${PATH}' is untrusted` } }, WANT);
        expect(stranger[5].detail).toBe("signed only by x-1, which the host does not trust (it trusts e2e.cachix.org-1)");
        expect(stranger[6]).toMatchObject({ status: "finding", fix: "fix the signature finding above" });
        expect(formatDiagnosis("box", PATH, stranger)).toContain("First finding: signature. push it again so the cache signs it with its own key (e2e.cachix.org-1)");
    });

    it("a dry run that would build is a finding", () => {
        expect(diagnose({ ...GOOD, dryRun: ok(`this derivation will be built:\n  /nix/store/x.drv\n`) }, WANT).at(-1)).toMatchObject({ status: "finding", detail: "a dry run would build it from source" });
    });

    it("a configuration Nix cannot read stops at the first step", () => {
        expect(statuses({ ...GOOD, client: { exit: 1, output: "error: syntax error in nix.conf\n" } })).toEqual([
            "substituter finding",
            "key skipped",
            "trust skipped",
            "cache skipped",
            "path skipped",
            "signature skipped",
            "substitute skipped",
        ]);
    });
});

describe("which cache the doctor checks", () => {
    const model = loadStackModel(
        rawConfig({ cache: { name: "e2e", publicKeys: [KEY], private: true }, extraCaches: [{ url: "https://extra.example", publicKeys: ["extra-1:nwFwvaBUbiLCjv87hHeMXDx6QFDlaCTqC4dqc4iLYt4="] }] }, { cachixAuthToken: "t" }),
        { mode: "render" },
    );

    it("the org's own unless another of the stack's caches is named; only the org's is private", () => {
        expect(doctorCache(model)).toEqual({ url: URL, publicKeys: [KEY], private: true });
        expect(doctorCache(model, `${URL}/`)).toEqual({ url: URL, publicKeys: [KEY], private: true });
        expect(doctorCache(model, "https://extra.example")).toMatchObject({ url: "https://extra.example", private: false });
        expect(doctorCache(model, "https://cache.nixos.org").publicKeys[0]).toMatch(/^cache\.nixos\.org-1:/);
        expect(() => doctorCache(model, "https://other.example")).toThrow('--cache: "https://other.example" is not one of the stack\'s caches; expected one of: https://cache.nixos.org, https://e2e.cachix.org, https://extra.example');
    });
});

describe("doctor script and its output", () => {
    it("passes the URL and path as quoted variables, never as script text", () => {
        const script = doctorScript("https://x.example/'; rm -rf /", PATH);
        expect(script.startsWith(`NC_URL='https://x.example/'\\''; rm -rf /' NC_PATH='${PATH}' sh -c '`)).toBe(true);
    });

    it("reads the sections back; a cut-off run is undefined", () => {
        const section = (name: string, text: string, rc = 0) => `@@doctor-begin ${name}\n${text}\n@@doctor-end ${name} ${rc}`;
        const stdout = ["@@doctor-user alice", "@@doctor-groups alice users", "@@doctor-daemon yes", "@@doctor-netrc unreadable", section("client", GOOD_CONFIG), section("system", ""), section("ping", "x"), section("info", "[]", 1), section("verify", ""), section("dryRun", "")].join("\n");
        const facts = parseDoctorOutput(stdout)!;
        expect(facts).toMatchObject({ user: "alice", groups: ["alice", "users"], daemon: true, local: false, netrc: "unreadable", info: { exit: 1, output: "[]\n" } });
        expect(facts.daemonTrusts).toBeUndefined();
        expect(parseDoctorOutput(`${stdout}\n@@doctor-daemon-trusts no`)!.daemonTrusts).toBe(false);
        expect(settingWords(facts.client.output, "substituters")).toEqual([`${URL}/`]);
        expect(parseDoctorOutput(stdout.split("@@doctor-begin dryRun")[0])).toBeUndefined();
    });

    it("reads the command line: a path or a flake target, not both", () => {
        expect(doctorArgs(["--stack", "s", "--host", "h", "--path", PATH])).toMatchObject({ path: PATH });
        expect(doctorArgs(["--stack", "s", "--host", "h", "--flake", ".", "--target", "t"])).toMatchObject({ flake: ".", target: "t" });
        expect(doctorArgs(["--stack", "s", "--host", "h"])).toEqual({ error: expect.stringMatching(/^Give either --path or --flake with --target\./) });
        expect(doctorArgs(["--stack", "s", "--host", "h", "--path", PATH, "--flake", "."])).toEqual({ error: expect.stringMatching(/^Give either/) });
        expect(doctorArgs(["--stack", "s", "--host", "h", "--flake", "."])).toEqual({ error: expect.stringMatching(/^--flake and --target go together/) });
        expect(doctorArgs(["--stack", "s", "--host", "h", "--flake", ".", "--target", "a b", "--system", "x"])).toEqual({
            error: expect.stringMatching(/^--target: "a b" is not a flake attribute .*\n--system: "x" is not a Nix system such as x86_64-linux\n/),
        });
    });
});
