// Debian's Chromium, driven by playwright-core. No browser is ever downloaded.

import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { before, after } from "node:test";
import { repoRoot, startGather } from "./server.mjs";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Why the browser tests cannot run here, or null when they can. */
export async function missingPrerequisite() {
  if (!existsSync(chromiumPath)) return `Chromium not found at ${chromiumPath} (apt-get install chromium)`;
  try {
    await import("playwright-core");
  } catch {
    return "playwright-core is not installed (npm ci in web/)";
  }
  return null;
}

/**
 * Media without people or hardware: fake camera and microphone (a moving test pattern and
 * a beep), permission prompts answered yes, the whole screen picked for getDisplayMedia,
 * and host candidates on loopback, where the test server's relay listens.
 */
export const MEDIA_ARGS = [
  // Three of each, so switching devices can be tried.
  "--use-fake-device-for-media-stream=device-count=3",
  "--use-fake-ui-for-media-stream",
  "--allow-loopback-in-peer-connection",
  "--auto-select-desktop-capture-source=Entire screen",
];

export async function launch(extraArgs = []) {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // Software WebGL, so the 3D scene renders without a GPU.
      "--use-angle=swiftshader",
      "--enable-unsafe-swiftshader",
      ...extraArgs,
    ],
    // Playwright gives each launch a fresh, empty profile directory of its own.
  });
}

/**
 * A browser context of its own for `person` ({token, userId, username}), signed in the way
 * the client keeps a sign-in, and a page in it whose errors are collected. `prepare` runs on
 * the context before the page opens (more init scripts, say).
 */
export async function signedInPage(browser, person, { contextOptions = {}, prepare } = {}) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 700 }, ...contextOptions });
  await context.addInitScript(
    ([token, userId, username]) => {
      localStorage.setItem("gather.token", token);
      localStorage.setItem("gather.userId", userId);
      localStorage.setItem("gather.username", username);
    },
    [person.token, person.userId, person.username],
  );
  if (prepare) await prepare(context);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  return { context, page, errors };
}

/** The API called from inside `page`, with its stored token: the status and the body. */
export function pageApi(page, method, path, body) {
  return page.evaluate(
    async ([method, path, body]) => {
      const response = await fetch(`/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${localStorage.getItem("gather.token")}`,
          "content-type": "application/json",
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: response.status, body: await response.json() };
    },
    [method, path, body],
  );
}

/**
 * One server and one browser for a file of browser tests, started before its tests and
 * stopped after them. `skip` says why none can run here (false when they can); where the
 * tests are required (GATHER_REQUIRE_SERVICES), a missing browser is an error instead.
 * `prepare` runs on the fresh server before the browser starts; `args` go to Chromium.
 */
export async function browserSuite({ args = [], prepare } = {}) {
  const missing = await missingPrerequisite();
  if (missing && process.env.GATHER_REQUIRE_SERVICES) {
    throw new Error(`browser tests are required here, but: ${missing}`);
  }
  const suite = { skip: missing ?? false, shots: join(repoRoot, "target/e2e"), server: null, browser: null };
  before(async () => {
    if (missing) return;
    mkdirSync(suite.shots, { recursive: true });
    suite.server = await startGather();
    await prepare?.(suite.server);
    suite.browser = await launch(args);
  });
  after(async () => {
    await suite.browser?.close();
    await suite.server?.stop();
  });
  return suite;
}
