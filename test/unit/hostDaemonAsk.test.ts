import { spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { libraryFunctions } from "../../components/hosts/scriptParts";
import { functionsCalled } from "../../components/hosts/shellFunctions";

// How the answer of `nix store ping` is read, for the Nix versions this machine does not have
// (the real daemon, Nix 2.8, is asked in test/e2e/hostDaemonView.test.ts): a fake `nix` on PATH
// prints what the given version prints, and a listening socket stands for the daemon's.

let dir: string;
let server: net.Server;
let socket: string;

beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-ask-"));
    fs.mkdirSync(path.join(dir, "bin"));
    socket = path.join(dir, "socket");
    server = net.createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
});

afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * With a fake nix of `version` whose `store ping` prints `answer`: why the daemon cannot be
 * asked (if so), then what asking it as this user gives (nc_daemon_ask, one line per item).
 */
function ask(version: string, answer: string): { unaskable: string; answer: string[]; args: string } {
    const args = path.join(dir, "args");
    fs.rmSync(args, { force: true });
    fs.writeFileSync(
        path.join(dir, "bin", "nix"),
        `#!/bin/sh\ncase "$*" in --version) echo "nix (Nix) ${version}" ;; *"store ping"* | *"store info"*) echo "$*" > "$NC_FAKE_ARGS"; printf '%s\\n' "$NC_FAKE_ANSWER" >&2 ;; *) exit 1 ;; esac\n`,
        { mode: 0o755 },
    );
    const functions = functionsCalled(["nc_daemon_unaskable", "nc_daemon_ask"], libraryFunctions()).map((fn) => fn.text);
    const script = [...functions, 'nc_daemon_unaskable; echo "--"; nc_daemon_ask ""'].join("\n");
    const result = spawnSync("sh", ["-c", script], {
        encoding: "utf8",
        env: {
            PATH: `${path.join(dir, "bin")}:${process.env.PATH}`,
            NIX_DAEMON_SOCKET_PATH: socket,
            NC_FAKE_ANSWER: answer,
            NC_FAKE_ARGS: args,
            NC_WANT_SUBSTITUTERS: "https://a.example.org https://b.example.org",
        },
    });
    expect(result.status, result.stderr).toBe(0);
    const [unaskable, rest] = result.stdout.split("--\n");
    const asked = fs.existsSync(args) ? fs.readFileSync(args, "utf8").trim() : "";
    return { unaskable: unaskable.trim(), answer: rest.split("\n").filter((line) => line.length > 0), args: asked };
}

describe("asking the daemon, as each Nix version answers (fake nix, listening socket)", () => {
    it("Nix before 2.4 cannot be asked: the reason names the version", () => {
        expect(ask("2.3.16", "").unaskable).toMatch(/^nix \(Nix\) 2\.3\.16 cannot be asked .*needs Nix 2\.4 or later/);
    });

    it("Nix 2.4 to 2.14: the ignored probe address marks an untrusted client, and each ignored declared substituter is lacking", () => {
        const answer = "Store URL: daemon\nwarning: ignoring untrusted substituter 'https://b.example.org'\nwarning: ignoring untrusted substituter 'http://nix-cache-trust-probe.invalid'";
        const result = ask("2.8.0", answer);
        expect(result).toMatchObject({ unaskable: "", answer: ["untrusted", "https://b.example.org"] });
        expect(result.args).toMatch(/store ping --store daemon --option substituters https:\/\/a\.example\.org https:\/\/b\.example\.org http:\/\/nix-cache-trust-probe\.invalid$/);
    });

    it("newer Nix: `Trusted: 0` marks an untrusted client, whatever the warnings' wording", () => {
        const answer = "Store URL: daemon\nVersion: 2.24.9\nTrusted: 0\nwarning: ignoring untrusted substituter 'https://a.example.org', you are not a trusted user.";
        const result = ask("2.24.9", answer);
        expect(result).toMatchObject({ unaskable: "", answer: ["untrusted", "https://a.example.org"] });
        expect(result.args).toMatch(/store info --store daemon/);
    });

    it("`nix store info` from Nix 2.19 on, `nix store ping` before", () => {
        expect(ask("2.18.1", "Store URL: daemon").args).toMatch(/store ping --store daemon/);
        expect(ask("2.19.0", "Store URL: daemon\nTrusted: 1").args).toMatch(/store info --store daemon/);
        expect(ask("2.4", "").unaskable).toBe("");
    });

    it("`Trusted: 1`, or no warning about the probe address, marks a trusted client", () => {
        expect(ask("2.24.9", "Store URL: daemon\nTrusted: 1").answer).toEqual(["trusted"]);
        expect(ask("2.8.0", "Store URL: daemon\nVersion: 2.8.0").answer).toEqual(["trusted"]);
    });
});
