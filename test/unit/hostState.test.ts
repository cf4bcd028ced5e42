import { describe, expect, it } from "vitest";
import { convergeMarker, driftReasons, hostMarkers, HostRead, IN_EFFECT, netrcTokenDigest, parseHostState } from "../../components/hosts/hostState";

// The decision a preview or up takes from one read of a host: in effect (its commands keep the
// value they hold, nothing runs), or the reasons in words (they run in place and repair it).

const SALT = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const TOKEN = "host-state-token.9c2e";

const read = (lines: string[], code = 0, stderr = ""): HostRead => ({ code, stdout: [...lines, ""].join("\n"), stderr });
const healthy = (extra: string[] = []) =>
    read([
        "nix-cache-check ok kind: nix",
        "nix-cache-check ok file: /etc/nix/nix-cache.conf",
        "nix-cache-check ok netrc: /etc/nix/netrc holds a token for cache.example.org",
        "nix-cache-check pending daemon: restartDaemon is false",
        ...extra,
        "nix-cache-effective substituters = https://cache.example.org",
    ]);

describe("parseHostState", () => {
    it("reads the recorded marker, the netrc token's digest and verify's report", () => {
        const digest = netrcTokenDigest(SALT, TOKEN);
        const state = parseHostState(
            healthy(["nix-cache-state converged drift: file: x differs", "nix-cache-state netrc-converged in effect", `nix-cache-state netrc-token ${digest}`]).stdout,
        );
        expect(state.converged).toBe("drift: file: x differs");
        expect(state.netrcConverged).toBe(IN_EFFECT);
        expect(state.netrcTokenDigest).toBe(digest);
        expect(state.report.effective.substituters).toEqual(["https://cache.example.org"]);
    });

    it("an empty marker (never recorded) and a digest that is not one (no hash tool) are absent", () => {
        const state = parseHostState(healthy(["nix-cache-state converged ", "nix-cache-state netrc-token "]).stdout);
        expect(state.converged).toBe("");
        expect(state.netrcTokenDigest).toBeUndefined();
    });
});

describe("driftReasons", () => {
    it("a host with every check ok or pending is in effect", () => {
        expect(driftReasons(healthy())).toEqual([]);
    });

    it("each drifted check is a reason, in verify's words", () => {
        const drifted = read(
            [
                "nix-cache-check drift file: /etc/nix/nix-cache.conf differs from the declared content",
                "nix-cache-check drift include: /etc/nix/nix.conf has lines after its include of nix-cache.conf",
                "nix-cache-check drift daemon: the running nix-daemon started before the files last changed: the next apply restarts it",
            ],
            3,
        );
        expect(driftReasons(drifted)).toEqual([
            "file: /etc/nix/nix-cache.conf differs from the declared content",
            "include: /etc/nix/nix.conf has lines after its include of nix-cache.conf",
            "daemon: the running nix-daemon started before the files last changed: the next apply restarts it",
        ]);
    });

    it("a netrc holding another token than the declared one is a reason; the same token is not", () => {
        const onHost = (token: string) => healthy([`nix-cache-state netrc-token ${netrcTokenDigest(SALT, token)}`]);
        const declared = netrcTokenDigest(SALT, TOKEN);
        expect(driftReasons(onHost(TOKEN), declared)).toEqual([]);
        expect(driftReasons(onHost("stale-token"), declared)).toEqual(["netrc: holds a token other than the declared one"]);
        // Public caches declare none; a host without a hash tool prints none: nothing to compare.
        expect(driftReasons(onHost("stale-token"))).toEqual([]);
        expect(driftReasons(healthy(), declared)).toEqual([]);
    });

    it("the token is compared only when the netrc itself is in place (a missing netrc is its own reason)", () => {
        const missing = read(["nix-cache-check drift netrc: /etc/nix/netrc is missing"], 3);
        expect(driftReasons(missing, netrcTokenDigest(SALT, TOKEN))).toEqual(["netrc: /etc/nix/netrc is missing"]);
    });

    it("a read that failed is a reason, with the line that says why: apply then runs and names it", () => {
        const failed = read([], 1, "sudo: a password is required\nnix-cache: error: admin@b cannot run sudo without a password (sudo -n)\n");
        expect(driftReasons(failed)).toEqual(["read: nix-cache: error: admin@b cannot run sudo without a password (sudo -n)"]);
        expect(driftReasons(read([], 127))).toEqual(["read: the read of the host's state exited with status 127"]);
    });

    it("the digest never is the token, and differs with the salt", () => {
        expect(netrcTokenDigest(SALT, TOKEN)).not.toContain(TOKEN);
        expect(netrcTokenDigest(SALT, TOKEN)).not.toBe(netrcTokenDigest(`${SALT}0`, TOKEN));
        expect(netrcTokenDigest(SALT, TOKEN)).toMatch(/^[0-9a-f]{64}$/);
    });
});

describe("convergeMarker", () => {
    it("a host in effect keeps what it recorded, so its commands do not change", () => {
        expect(convergeMarker([], "drift: file: x differs")).toBe("drift: file: x differs");
        expect(convergeMarker([], IN_EFFECT)).toBe(IN_EFFECT);
    });

    it("a host that never recorded one (applied before markers) is in effect", () => {
        expect(convergeMarker([], "")).toBe(IN_EFFECT);
    });

    it("a drifted host gets its reasons, on one line", () => {
        expect(convergeMarker(["file: a\ndiffers", "netrc: b is missing"], IN_EFFECT)).toBe("drift: file: a differs; netrc: b is missing");
    });

    it("the same drift as last time still changes the marker", () => {
        const first = convergeMarker(["netrc: b is missing"], IN_EFFECT);
        const again = convergeMarker(["netrc: b is missing"], first);
        expect(again).toBe(`${first} (again)`);
        expect(convergeMarker(["netrc: b is missing"], again)).toBe(first);
    });

    it("many reasons are cut to a readable length", () => {
        const marker = convergeMarker(Array.from({ length: 100 }, (_, i) => `file: /etc/nix/file-${i} differs from the declared content`), "");
        expect(marker.length).toBeLessThanOrEqual(600);
        expect(marker.endsWith("...")).toBe(true);
    });
});

describe("hostMarkers", () => {
    const recorded = { converged: IN_EFFECT, netrcConverged: IN_EFFECT };

    it("a drifted netrc changes only the netrc command's marker", () => {
        expect(hostMarkers(["netrc: /etc/nix/netrc is missing"], recorded)).toEqual({ settings: IN_EFFECT, netrc: "drift: netrc: /etc/nix/netrc is missing" });
    });

    it("a drifted file (or a newly declared cache) changes only the settings command's: the token is not sent again", () => {
        expect(hostMarkers(["file: /etc/nix/nix-cache.conf differs from the declared content"], recorded)).toEqual({
            settings: "drift: file: /etc/nix/nix-cache.conf differs from the declared content",
            netrc: IN_EFFECT,
        });
    });

    it("a failed read changes the settings command's, whose apply then names the problem", () => {
        expect(hostMarkers(["read: nix-cache: error: sudo is not installed"], recorded).settings).toBe("drift: read: nix-cache: error: sudo is not installed");
    });
});
