import * as fs from "fs";
import * as path from "path";

/** A piece of text to search, and where it came from. */
export interface Place {
    readonly name: string;
    readonly text: string;
}

/**
 * The needles that give a secret away: the value itself and, for multi-line values such as a
 * private key, each long line on its own (state files keep them JSON-escaped, one `\n` apart).
 */
export function needles(secret: string): string[] {
    const lines = secret.split("\n").map((line) => line.trim()).filter((line) => line.length >= 16 && !line.startsWith("-----"));
    return [secret.trim(), ...lines];
}

/** Where any needle of `secrets` occurs in `places`: `PLACE: SECRET_NAME`. */
export function plaintextHits(secrets: Readonly<Record<string, string>>, places: readonly Place[]): string[] {
    const hits: string[] = [];
    for (const place of places) {
        for (const [name, secret] of Object.entries(secrets)) {
            if (needles(secret).some((needle) => place.text.includes(needle))) {
                hits.push(`${place.name}: ${name}`);
            }
        }
    }
    return hits;
}

/** Every file under `dir` (skipping directories named in `skip`), as places to search. */
export function filesUnder(dir: string, skip: readonly string[] = []): Place[] {
    const places: Place[] = [];
    const walk = (current: string) => {
        for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
            const file = path.join(current, entry.name);
            if (entry.isDirectory()) {
                if (!skip.includes(entry.name)) {
                    walk(file);
                }
            } else if (entry.isFile()) {
                places.push({ name: file, text: fs.readFileSync(file, "latin1") });
            }
        }
    };
    if (fs.existsSync(dir)) {
        walk(dir);
    }
    return places;
}

/**
 * Everything an engine test's stack and host leave behind, as places to search: the state, the
 * workspace, PULUMI_HOME (the plugin binaries are not logs), the engine's output and events, and
 * the host's sshd log.
 */
export function stackAndHostPlaces(dirs: { readonly state: string; readonly work: string; readonly pulumiHome: string }, transcript: readonly string[], sshdLog: string): Place[] {
    return [
        ...filesUnder(dirs.state),
        ...filesUnder(dirs.work),
        ...filesUnder(dirs.pulumiHome, ["plugins"]),
        { name: "engine output and events", text: transcript.join("\n") },
        { name: "sshd log", text: fs.readFileSync(sshdLog, "utf8") },
    ];
}
