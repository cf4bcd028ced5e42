import { describe, expect, it } from "vitest";
import { loadStackModel } from "../../components/config/load";
import { HOST_KEY, MINIMAL, problemLines, rawConfig } from "../support/config";

// The stack file and the components' arguments are one spelling: the arguments' spellings work in
// a stack file, and the stack file's former ones still do.

const host = (extra: Record<string, unknown>) => ({ name: "b", kind: "nix", address: "203.0.113.1", hostKey: HOST_KEY, ...extra });
const github = (workflow: Record<string, unknown>) => ({ owner: "o", repositories: ["r"], workflow });
const load = (values: Record<string, unknown>) => loadStackModel(rawConfig({ ...MINIMAL, ...values }), { mode: "render" });

describe("one spelling for the stack file and the arguments", () => {
    it("takes an agent socket as sshAgentSocket, and still as sshAgent", () => {
        expect(load({ hosts: [host({ sshAgentSocket: "/run/agent.sock" })] }).hosts[0].auth).toEqual({ kind: "agent", socket: "/run/agent.sock" });
        expect(load({ hosts: [host({ sshAgent: "/run/agent.sock" })] }).hosts[0].auth).toEqual({ kind: "agent", socket: "/run/agent.sock" });
        expect(load({ hosts: [host({ sshAgent: true })] }).hosts[0].auth).toEqual({ kind: "agent", socket: undefined });
        expect(problemLines(() => load({ hosts: [host({ sshAgent: "/a.sock", sshAgentSocket: "/b.sock" })] }))).toEqual([
            "nix-cache:hosts[0].sshAgent: is a socket path and sshAgentSocket is set too; expected the path in sshAgentSocket only",
        ]);
        expect(problemLines(() => load({ hosts: [host({ sshAgentSocket: "relative.sock" })] }))[0]).toMatch(/^nix-cache:hosts\[0\]\.sshAgentSocket: "relative\.sock" is not valid; expected /);
    });

    it("turns the nightly rebuild off with noSchedule, and still with schedule: false", () => {
        expect(load({ github: github({ noSchedule: true }) }).github!.workflow.schedule).toBeUndefined();
        expect(load({ github: github({ schedule: false }) }).github!.workflow.schedule).toBeUndefined();
        expect(load({ github: github({ noSchedule: false }) }).github!.workflow.schedule).toBe("51 2 * * *");
        expect(load({ github: github({ schedule: "0 4 * * *" }) }).github!.workflow.schedule).toBe("0 4 * * *");
        expect(problemLines(() => load({ github: github({ noSchedule: true, schedule: "0 4 * * *" }) }))).toEqual([
            "nix-cache:github.workflow.noSchedule: excludes schedule: the nightly rebuild is either off or at one time; set one",
        ]);
    });
});
