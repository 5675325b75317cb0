// Starts a real `roundtable serve` on a fresh data directory for the browser tests.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

export async function startServer(extra = []) {
  const bin = process.env.ROUNDTABLE_BIN;
  if (!bin) throw new Error("set ROUNDTABLE_BIN to the roundtable binary (make test-web does)");
  const data = mkdtempSync(join(tmpdir(), "roundtable-browser-"));
  const child = spawn(bin, ["serve", "--data", data, "--listen", "127.0.0.1:0", ...extra], {
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const lines = createInterface({ input: child.stderr });
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the server did not start within 120 s")), 120_000);
    child.on("exit", (code) => reject(new Error(`the server exited with ${code}`)));
    lines.on("line", (line) => {
      const m = /listening on socket:\/\/(\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(`http://${m[1]}`);
      }
    });
  });
  return {
    base,
    data,
    async advanceHours(hours) {
      const res = await fetch(`${base}/_test/clock?advanceHours=${hours}`, { method: "POST" });
      if (!res.ok) throw new Error(`advancing the clock: ${res.status}`);
    },
    stop() {
      child.kill("SIGTERM");
      rmSync(data, { recursive: true, force: true });
    },
  };
}
