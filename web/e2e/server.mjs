// Starts a real `gather` binary on a free loopback port with a fresh data dir.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

export const repoRoot = resolve(import.meta.dirname, "../..");

export function gatherBinary() {
  return process.env.GATHER_BIN ?? join(repoRoot, "target/debug/gather");
}

export async function startGather() {
  const binary = gatherBinary();
  if (!existsSync(binary)) throw new Error(`no gather binary at ${binary}; run cargo build first`);
  const dataDir = mkdtempSync(join(tmpdir(), "gather-e2e-"));
  const child = spawn(binary, ["serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir], {
    env: { ...process.env, RUST_LOG: "warn,gather=info" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const addr = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error("gather did not report its address")), 20_000);
    child.once("exit", (code) => fail(new Error(`gather exited early with ${code}`)));
    lines.on("line", (line) => {
      const match = line.match(/listening on http:\/\/(\S+)/);
      if (match) {
        clearTimeout(timer);
        ok(match[1]);
      }
    });
  });
  return {
    url: `http://${addr}`,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((done) => (child.exitCode !== null ? done() : child.once("exit", done)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
