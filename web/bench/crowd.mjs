// The client in a crowd (docs/PERFORMANCE.md): one page in headless Chromium, in a space
// where `--people` others, driven by gather-bench, walk at `--rate` steps a second for
// `--minutes`. It reads the arena's own JavaScript work of every frame drawn (applying the
// server's frames, interpolation, instance and label updates; not WebGL's rendering, which
// Chromium's software renderer makes slow for reasons of its own) from the test hook, and
// the page's JavaScript heap after a garbage collection every `--sample` seconds.
//
// Usage: node bench/crowd.mjs --bench <gather-bench> [--people 300] [--rate 2]
//          [--minutes 5] [--size 24x24] [--json <file>]
// GATHER_BIN is the server to run (and GATHER_WEB_DIST the client build to serve).

import { spawn } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startGather, callApi } from "../e2e/server.mjs";
import { launch, signedInPage } from "../e2e/browser.mjs";

const { values: args } = parseArgs({
  options: {
    bench: { type: "string" },
    people: { type: "string", default: "300" },
    rate: { type: "string", default: "2" },
    minutes: { type: "string", default: "5" },
    size: { type: "string", default: "24x24" },
    sample: { type: "string", default: "10" },
    json: { type: "string" },
  },
});
if (!args.bench) throw new Error("--bench <path to gather-bench> is required");
const people = Number(args.people);
const seconds = Math.round(Number(args.minutes) * 60);

const quantile = (sorted, q) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0;
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

// Everyone hears everyone: all of them are in the page's picture, none filtered by distance.
const server = await startGather({ env: { GATHER_INTEREST_THRESHOLD: "100000" } });
const browser = await launch();
let bench;
try {
  const username = `watcher-${Date.now().toString(36)}`;
  await callApi(server, "POST", "/signup", { username, password: "password1", type: "user" });
  const me = { username, ...(await callApi(server, "POST", "/signin", { username, password: "password1" })) };
  const { spaceId } = await callApi(server, "POST", "/space", { name: "Crowd", dimensions: args.size }, me.token);
  const { page, context, errors } = await signedInPage(browser, me);
  await page.goto(`${server.url}/space/${spaceId}`);
  await page.waitForFunction(() => window.__gather?.connected && window.__gather.me, null, { timeout: 20_000 });

  const scratch = mkdtempSync(join(tmpdir(), "gather-crowd-"));
  bench = spawn(
    args.bench,
    [
      ...["--server", server.direct, "--space-id", spaceId, "--size", args.size],
      ...["--users", String(people), "--rate", args.rate, "--duration", String(seconds), "--warmup", "5"],
      ...["--interest-threshold", "100000", "--join-concurrency", "64"],
      ...["--account-cache", join(scratch, "accounts.json")],
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let benchOut = "";
  bench.stdout.on("data", (chunk) => (benchOut += chunk));
  const benchDone = new Promise((done) => bench.once("exit", done));

  // Everyone in, and on the page.
  await page.waitForFunction((n) => window.__gather.remote.length >= n, people, { timeout: 300_000, polling: 500 });
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable");
  const heapMb = async () => {
    await cdp.send("HeapProfiler.collectGarbage");
    const { metrics } = await cdp.send("Performance.getMetrics");
    return metrics.find((m) => m.name === "JSHeapUsedSize").value / (1024 * 1024);
  };
  await sleep(5000); // The bench's warm-up: everyone walking.
  await page.evaluate(() => window.__gather.takeFrameWork());
  const work = [];
  const heap = [{ s: 0, mb: await heapMb() }];
  const inView = [];
  const started = Date.now();
  while ((Date.now() - started) / 1000 < seconds - Number(args.sample)) {
    await sleep(Number(args.sample) * 1000);
    work.push(...(await page.evaluate(() => window.__gather.takeFrameWork())));
    heap.push({ s: Math.round((Date.now() - started) / 1000), mb: await heapMb() });
    inView.push(await page.evaluate(() => window.__gather.rendered.length - 1));
  }
  await benchDone;
  const sorted = [...work].sort((a, b) => a - b);
  const mean = work.reduce((a, b) => a + b, 0) / (work.length || 1);
  const report = {
    people,
    rate: Number(args.rate),
    size: args.size,
    seconds,
    framesDrawn: work.length,
    framesPerSecond: work.length / seconds,
    workMeanMs: mean,
    workP50Ms: quantile(sorted, 0.5),
    workP99Ms: quantile(sorted, 0.99),
    workMaxMs: sorted[sorted.length - 1] ?? 0,
    peopleDrawnMin: Math.min(...inView),
    heapMb: heap,
    heapGrowthMb: heap[heap.length - 1].mb - heap[1 < heap.length ? 1 : 0].mb,
    pageErrors: errors,
    bench: benchOut.trim(),
  };
  const line = (k, v) => console.log(`${k.padEnd(20)}${v}`);
  line("people", `${people} walking at ${report.rate} steps/s in ${args.size}, ${seconds} s`);
  line("frames drawn", `${work.length} (${report.framesPerSecond.toFixed(1)}/s)`);
  line(
    "own work per frame",
    `mean ${mean.toFixed(3)} ms, p50 ${report.workP50Ms.toFixed(3)} ms, p99 ${report.workP99Ms.toFixed(3)} ms, max ${report.workMaxMs.toFixed(2)} ms`,
  );
  line("people drawn", `at least ${report.peopleDrawnMin}`);
  line("js heap", heap.map((h) => `${h.s}s ${h.mb.toFixed(1)} MB`).join(", "));
  if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2));
} finally {
  bench?.kill();
  await browser.close();
  await server.stop();
}
