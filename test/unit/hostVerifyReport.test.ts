import { describe, expect, it } from "vitest";
import { describeSshFailure } from "../../cli/sshClient";
import { exitCodeOf, formatVerdicts, HostVerdict } from "../../cli/verify";
import { parseVerifyReport } from "../../components/hosts/verifyReport";

describe("verify report", () => {
    it("parses checks and effective settings, ignoring other lines", () => {
        const report = parseVerifyReport(
            [
                "nix-cache: something else",
                "nix-cache-check ok kind: nix",
                "nix-cache-check drift effective: missing trusted-user ci",
                "nix-cache-check pending effective: not yet in effect (nixosRebuild: boot): trusted-user ci",
                "nix-cache-effective substituters = https://cache.nixos.org/ http://127.0.0.1:1",
                "nix-cache-effective trusted-public-keys = a:b c:d",
                "nix-cache-effective trusted-users = ",
                "",
            ].join("\n"),
        );
        expect(report.checks).toEqual([
            { status: "ok", item: "kind", detail: "nix" },
            { status: "drift", item: "effective", detail: "missing trusted-user ci" },
            { status: "pending", item: "effective", detail: "not yet in effect (nixosRebuild: boot): trusted-user ci" },
        ]);
        expect(report.effective).toEqual({ substituters: ["https://cache.nixos.org/", "http://127.0.0.1:1"], trustedPublicKeys: ["a:b", "c:d"], trustedUsers: [] });
        expect(report.drift).toBe(true);
        expect(parseVerifyReport("").drift).toBe(false);
    });

    it("lists each effective entry once, as Nix may repeat one the system and the user both list", () => {
        const report = parseVerifyReport(
            [
                "nix-cache-effective substituters = https://cache.nixos.org/ http://127.0.0.1:1 https://cache.nixos.org http://127.0.0.1:1",
                "nix-cache-effective trusted-public-keys = a:b c:d a:b",
                "nix-cache-effective trusted-users = root ci root",
            ].join("\n"),
        );
        expect(report.effective).toEqual({ substituters: ["https://cache.nixos.org/", "http://127.0.0.1:1"], trustedPublicKeys: ["a:b", "c:d"], trustedUsers: ["root", "ci"] });
    });
});

describe("verify command output", () => {
    const verdicts: HostVerdict[] = [
        { host: "builder-debian", kind: "nix", status: "ok", detected: "nix", installer: "debian", details: [] },
        { host: "b", kind: "nixos", status: "drift", detected: "nixos", installer: "nixos", details: ["effective: missing trusted-user ci"] },
    ];

    it("is one row per host and one indented line per problem", () => {
        expect(formatVerdicts(verdicts)).toBe(
            [
                "HOST            KIND   DETECTED  INSTALLER    STATUS",
                "builder-debian  nix    nix       debian       ok",
                "b               nixos  nixos     nixos        drift",
                "                  - effective: missing trusted-user ci",
                "",
            ].join("\n"),
        );
    });

    it("exits 0 only when every host is ok or pending", () => {
        expect(exitCodeOf([verdicts[0], { ...verdicts[1], status: "pending" }])).toBe(0);
        expect(exitCodeOf(verdicts)).toBe(1);
        expect(exitCodeOf([{ ...verdicts[0], status: "unreachable" }])).toBe(1);
    });

    it("explains ssh failures", () => {
        const failure = (stderr: string) => describeSshFailure({ code: 255, stdout: "", stderr });
        expect(failure("Host key verification failed.\n")).toMatch(/^host key mismatch/);
        expect(failure("ssh: connect to host 127.0.0.1 port 1: Connection refused\n")).toBe("unreachable: connection refused");
        expect(failure("ssh: connect to host 10.0.0.1 port 22: Connection timed out\n")).toBe("unreachable: ssh: connect to host 10.0.0.1 port 22: Connection timed out");
        expect(failure("root@x: Permission denied (publickey).\n")).toBe("authentication failed: root@x: Permission denied (publickey).");
    });
});
