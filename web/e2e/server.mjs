// Starts a real `gather` binary on a free loopback port with a fresh data dir. With
// GATHER_WEB_DIST=<dir> (a `vite build` output, as for build.rs), the pages come from that
// build rather than the client compiled into the binary.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { serveClient } from "./client.mjs";

export const repoRoot = resolve(import.meta.dirname, "../..");

export function gatherBinary() {
  return process.env.GATHER_BIN ?? join(repoRoot, "target/debug/gather");
}

/** `env`: more settings for this server (`GATHER_*`, as its command line reads them). */
export async function startGather({ env = {} } = {}) {
  const binary = gatherBinary();
  if (!existsSync(binary)) throw new Error(`no gather binary at ${binary}; run cargo build first`);
  const dataDir = mkdtempSync(join(tmpdir(), "gather-e2e-"));
  const child = spawn(binary, ["serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir], {
    env: { ...process.env, RUST_LOG: "warn,gather=info", ...env },
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
  const dist = process.env.GATHER_WEB_DIST;
  const front = dist ? await serveClient(resolve(dist), `http://${addr}`) : null;
  return {
    url: front?.url ?? `http://${addr}`,
    /** The server itself, even when the pages come from a front. */
    direct: `http://${addr}`,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((done) => (child.exitCode !== null ? done() : child.once("exit", done)));
      // After the server, so its goodbye (server-shutdown) still reaches the pages.
      await front?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A call to `server`'s API with an optional bearer token; a non-2xx answer fails the test. */
export async function callApi(server, method, path, body, token) {
  const response = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(data)}`);
  return data;
}
