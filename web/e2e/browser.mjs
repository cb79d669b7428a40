// Debian's Chromium, driven by playwright-core. No browser is ever downloaded.

import { existsSync } from "node:fs";

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
