// Two people in two browsers: sign up through the UI, share a space by its invite link,
// see each other, walk, bump into furniture, and leave. And a server that stops while
// someone is in a space.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startGather } from "./server.mjs";
import { browserSuite, pageApi } from "./browser.mjs";

const suite = await browserSuite();

const STEPS = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };

async function signUp(page, username) {
  await page.getByRole("button", { name: /create an account/i }).click();
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill("password1");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL("**/avatar");
  await page.locator("button.avatar").first().click();
}

async function connected(page) {
  await page.waitForFunction(() => window.__gather?.connected && window.__gather.me, null, { timeout: 15_000 });
  return page.evaluate(() => window.__gather.me);
}

function remoteOf(page, id) {
  return page.evaluate((id) => window.__gather.remote.find((u) => u.id === id) ?? null, id);
}

async function waitForRemoteAt(page, id, x, y) {
  await page.waitForFunction(
    ([id, x, y]) => window.__gather.remote.some((u) => u.id === id && u.x === x && u.y === y),
    [id, x, y],
    { timeout: 5000 },
  );
}

test("two people walk around one space together", { skip: suite.skip, timeout: 120_000 }, async () => {
  const alice = await (await suite.browser.newContext({ viewport: { width: 1100, height: 700 } })).newPage();
  const bob = await (await suite.browser.newContext({ viewport: { width: 1100, height: 700 } })).newPage();
  const suffix = Date.now().toString(36);

  // Alice signs up, picks an avatar and creates a space from the demo map.
  await alice.goto(`${suite.server.url}/`);
  await signUp(alice, `alice-${suffix}`);
  await alice.waitForURL("**/spaces");
  await alice.getByLabel("Name").fill("Team room");
  await alice.getByRole("button", { name: "Create" }).click();
  await alice.waitForURL("**/space/*");
  const spaceId = alice.url().split("/space/")[1];
  const aliceAt = await connected(alice);

  // Bob opens the invite link, is asked to sign up, and lands in the space.
  await bob.goto(`${suite.server.url}/space/${spaceId}`);
  await bob.waitForURL("**/signin");
  await signUp(bob, `bob-${suffix}`);
  await bob.waitForURL(`**/space/${spaceId}`);
  const bobAt = await connected(bob);

  // Each sees the other, by position and by name.
  await waitForRemoteAt(bob, aliceAt.id, aliceAt.x, aliceAt.y);
  await waitForRemoteAt(alice, bobAt.id, bobAt.x, bobAt.y);
  await alice
    .locator(`[data-testid=people] li[data-user="${bobAt.id}"]`)
    .filter({ hasText: `bob-${suffix}` })
    .waitFor();

  // Alice walks with the keyboard; Bob's view follows.
  const space = (await pageApi(alice, "GET", `/space/${spaceId}`)).body;
  const [width, height] = space.dimensions.split("x").map(Number);
  const solid = new Set();
  for (const placed of space.elements) {
    if (!placed.element.static) continue;
    for (let dy = 0; dy < placed.element.height; dy++)
      for (let dx = 0; dx < placed.element.width; dx++) solid.add(`${placed.x + dx},${placed.y + dy}`);
  }
  const free = (x, y) =>
    x >= 0 && y >= 0 && x < width && y < height && !solid.has(`${x},${y}`) && !(x === bobAt.x && y === bobAt.y);
  const [key, [dx, dy]] = Object.entries(STEPS).find(([, [dx, dy]]) => free(aliceAt.x + dx, aliceAt.y + dy));
  await alice.locator("canvas").click({ position: { x: 600, y: 20 } });
  await alice.keyboard.press(key);
  const moved = { x: aliceAt.x + dx, y: aliceAt.y + dy };
  await waitForRemoteAt(bob, aliceAt.id, moved.x, moved.y);
  await bob.waitForFunction(
    ([id, x, y]) =>
      window.__gather.rendered.some((u) => u.id === id && Math.abs(u.x - x) < 0.05 && Math.abs(u.y - y) < 0.05),
    [aliceAt.id, moved.x, moved.y],
    { timeout: 5000 },
  );
  assert.deepEqual(await alice.evaluate(() => ({ x: window.__gather.me.x, y: window.__gather.me.y })), moved);

  // A plant appears next to Alice; walking into it is refused and she snaps back.
  const plant = (await pageApi(alice, "GET", "/elements")).body.elements.find(
    (e) => e.static && e.width === 1 && e.height === 1,
  );
  const [blockKey, [bx, by]] = Object.entries(STEPS).find(([, [sx, sy]]) => free(moved.x + sx, moved.y + sy));
  const { body: placed } = await pageApi(alice, "POST", "/space/element", {
    elementId: plant.id,
    spaceId,
    x: moved.x + bx,
    y: moved.y + by,
  });
  assert.ok(placed.id, JSON.stringify(placed));
  await alice.waitForFunction((n) => window.__gather.elements === n, space.elements.length + 1);
  await alice.keyboard.press(blockKey);
  await alice.waitForFunction(() => window.__gather.corrections === 1, null, { timeout: 5000 });
  assert.deepEqual(await alice.evaluate(() => ({ x: window.__gather.me.x, y: window.__gather.me.y })), moved);
  assert.deepEqual(await remoteOf(bob, aliceAt.id), { id: aliceAt.id, ...moved });

  // The scene really rendered: WebGL is on and frames are being drawn.
  for (const page of [alice, bob]) {
    assert.equal(await page.evaluate(() => window.__gather.webgl), true);
    await page.waitForFunction(() => window.__gather.frameMs > 0);
  }
  // They chat: each sees the other's message in the panel and as a bubble over the speaker.
  await alice.getByTestId("chat-toggle").click();
  await alice.getByTestId("chat-input").fill("hello bob");
  await alice.getByTestId("chat-input").press("Enter");
  await bob.waitForFunction(() => window.__gather.chat.some((m) => m.text === "hello bob"), null, { timeout: 5000 });
  await bob.waitForFunction(
    (id) => window.__gather.bubbles.some((b) => b.userId === id && b.text === "hello bob"),
    aliceAt.id,
  );
  await bob.locator(`.name-label[data-user="${aliceAt.id}"] .bubble`).filter({ hasText: "hello bob" }).waitFor();
  await bob.getByTestId("chat-unread").filter({ hasText: "1" }).waitFor();
  await bob.getByTestId("chat-toggle").click();
  await bob.getByTestId("chat-log").getByText("hello bob").waitFor();
  await bob.getByTestId("chat-input").fill("hi alice");
  await bob.getByTestId("chat-input").press("Enter");
  await alice.getByTestId("chat-log").getByText("hi alice").waitFor({ timeout: 5000 });
  await alice.waitForFunction(
    (id) => window.__gather.bubbles.some((b) => b.userId === id && b.text === "hi alice"),
    bobAt.id,
  );
  // Typing in the chat did not walk anyone.
  assert.deepEqual(await alice.evaluate(() => ({ x: window.__gather.me.x, y: window.__gather.me.y })), moved);

  await alice.screenshot({ path: join(suite.shots, "alice.png") });
  await bob.screenshot({ path: join(suite.shots, "bob.png") });

  // Bob closes his page; he disappears from Alice's scene.
  await bob.close();
  await alice.waitForFunction((id) => !window.__gather.remote.some((u) => u.id === id), bobAt.id, { timeout: 5000 });
  await alice.locator(`[data-testid=people] li[data-user="${bobAt.id}"]`).waitFor({ state: "detached" });
});

test("when the server stops, the arena says so and keeps trying", { skip: suite.skip, timeout: 60_000 }, async () => {
  // A server of its own, to stop.
  const doomed = await startGather();
  const page = await (await suite.browser.newContext({ viewport: { width: 1100, height: 700 } })).newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  try {
    await page.goto(`${doomed.url}/`);
    await signUp(page, `carol-${Date.now().toString(36)}`);
    await page.waitForURL("**/spaces");
    await page.getByLabel("Name").fill("Short-lived");
    await page.getByRole("button", { name: "Create" }).click();
    await page.waitForURL("**/space/*");
    await connected(page);
  } finally {
    await doomed.stop();
  }
  await page.locator(".banner").filter({ hasText: "The server is restarting" }).waitFor({ timeout: 10_000 });
  await page.getByTestId("status").filter({ hasText: "the server is restarting" }).waitFor({ timeout: 10_000 });
  assert.deepEqual(errors, []);
});
