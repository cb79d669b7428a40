// A space's own rules in real browsers against the real server: a portal that leads from
// one space to another (walk onto it, confirm, arrive at the named spawn tile there), and a
// private area whose people chat `nearby` among themselves, unheard by someone standing
// just outside it; a locked private area that someone knocks on and is let into; a
// password-protected space, a moderator who mutes and kicks, and a builder who paints a
// wall that someone else then walks into.
// Spaces and effects are set up over the HTTP API.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { callApi } from "./server.mjs";
import { browserSuite, MEDIA_ARGS, signedInPage } from "./browser.mjs";

const suite = await browserSuite({ args: MEDIA_ARGS });

const api = (method, path, body, token) => callApi(suite.server, method, path, body, token);

let accounts = 0;

/** A fresh account, signed in over the API. */
async function account(name) {
  const username = `${name}-${Date.now().toString(36)}-${accounts++}`;
  await api("POST", "/signup", { username, password: "password1", type: "user" });
  const { token, userId } = await api("POST", "/signin", { username, password: "password1" });
  return { name, username, token, userId };
}

/** A space made by `owner` over the API, with `effects` on it. */
async function spaceWith(owner, name, dimensions, effects) {
  const { spaceId } = await api("POST", "/space", { name, dimensions }, owner.token);
  await api("PUT", `/space/${spaceId}/effects`, effects, owner.token);
  const space = await api("GET", `/space/${spaceId}`, undefined, owner.token);
  assert.deepEqual(space.effects.spawns, effects.spawns ?? [], "the server kept the effects it was given");
  return spaceId;
}

/** `person` in a browser of their own, opening `path` (a space, maybe with #spawn), joined. */
async function enter(person, path) {
  const { page, errors } = await signedInPage(suite.browser, person);
  await page.goto(`${suite.server.url}${path}`);
  await joined(page);
  return { ...person, page, errors };
}

async function joined(page) {
  await page.waitForFunction(() => window.__gather?.connected && window.__gather.me, null, { timeout: 15_000 });
  return page.evaluate(() => ({ spaceId: window.__gather.spaceId, ...window.__gather.me }));
}

const me = (person) => person.page.evaluate(() => ({ x: window.__gather.me.x, y: window.__gather.me.y }));

/** One arrow-key step, waiting until the predicted position is there (one step per 120 ms). */
async function step(person, key, to) {
  await person.page.keyboard.press(key);
  await person.page.waitForFunction(
    ([x, y]) => window.__gather.me.x === x && window.__gather.me.y === y,
    [to.x, to.y],
    {
      timeout: 2000,
    },
  );
  await person.page.waitForTimeout(150);
}

const chatTexts = (person) => person.page.evaluate(() => window.__gather.chat.map((m) => m.text));

async function say(person, target, text) {
  const { page } = person;
  if (await page.getByTestId("chat").isHidden()) await page.getByTestId("chat-toggle").click();
  await page.getByTestId("chat-target").selectOption(target);
  await page.getByTestId("chat-input").fill(text);
  await page.getByTestId("chat-input").press("Enter");
}

async function hears(person, text) {
  await person.page
    .waitForFunction((text) => window.__gather.chat.some((m) => m.text === text), text, { timeout: 5000 })
    .catch(async () =>
      assert.fail(`${person.name} never got "${text}"; got ${JSON.stringify(await chatTexts(person))}`),
    );
}

test(
  "one portal moves someone within a space, another takes them to a named spawn tile of the next",
  { skip: suite.skip, timeout: 120_000 },
  async () => {
    const owner = await account("owner");
    const garden = await spaceWith(owner, "Garden", "10x6", { spawns: [{ x: 6, y: 3, name: "gate" }] });
    const lobby = await spaceWith(owner, "Lobby", "10x5", {
      spawns: [{ x: 1, y: 2, name: "start" }],
      portals: [
        { x: 2, y: 2, to: { x: 3, y: 3 } },
        { x: 4, y: 2, spaceId: garden, spawn: "gate" },
      ],
    });

    // Opening the lobby's link with #start puts the walker on that spawn tile.
    const walker = await enter(await account("walker"), `/space/${lobby}#start`);
    assert.deepEqual(await me(walker), { x: 1, y: 2 });
    const drawn = await walker.page.evaluate(() => window.__gather.effects);
    assert.equal(drawn.portals.length, 2);

    // A step right onto the first portal: it moves the walker on to (3, 3) at once.
    await walker.page.locator("canvas").click({ position: { x: 600, y: 20 } });
    await step(walker, "ArrowRight", { x: 3, y: 3 });
    await walker.page.waitForFunction(
      (id) => window.__gather.rendered.some((u) => u.id === id && u.x === 3 && u.y === 3),
      walker.userId,
      { timeout: 2000 },
    );
    // Up, then right onto the portal to the garden: the arena asks.
    await step(walker, "ArrowUp", { x: 3, y: 2 });
    await walker.page.keyboard.press("ArrowRight");
    await walker.page.waitForFunction(() => window.__gather.portalDialogOpen, null, { timeout: 5000 });
    assert.deepEqual(await walker.page.evaluate(() => window.__gather.lastPortal), { spaceId: garden, spawn: "gate" });
    const dialog = walker.page.getByTestId("space-dialog");
    await dialog.getByText("Go to Garden?").waitFor();
    assert.deepEqual(await me(walker), { x: 4, y: 2 }, "they stand on the portal until they go");
    await walker.page.screenshot({ path: join(suite.shots, "rules-portal-dialog.png") });

    // Yes: the page moves to the garden and joins it, at its "gate" spawn tile.
    await dialog.getByTestId("modal-confirm").click();
    await walker.page.waitForURL(`**/space/${garden}#gate`);
    await walker.page.waitForFunction((id) => window.__gather?.spaceId === id, garden, { timeout: 10_000 });
    assert.deepEqual(await joined(walker.page), { spaceId: garden, id: walker.userId, x: 6, y: 3 });
    await walker.page.getByText("Garden", { exact: true }).waitFor();
    await walker.page.screenshot({ path: join(suite.shots, "rules-portal-arrived.png") });
    assert.deepEqual(walker.errors, []);
  },
);

test(
  "people in a private area chat nearby among themselves; someone just outside hears none of it",
  { skip: suite.skip, timeout: 120_000 },
  async () => {
    const owner = await account("owner");
    const booth = { name: "Booth", x: 0, y: 0, width: 3, height: 3, locked: false };
    const room = await spaceWith(owner, "Office", "12x6", {
      areas: [booth],
      spawns: [
        { x: 1, y: 1, name: "in-a" },
        { x: 2, y: 1, name: "in-b" },
        { x: 3, y: 1, name: "out" },
      ],
    });
    const alice = await enter(await account("alice"), `/space/${room}#in-a`);
    const bob = await enter(await account("bob"), `/space/${room}#in-b`);
    const carol = await enter(await account("carol"), `/space/${room}#out`);
    assert.deepEqual(await me(alice), { x: 1, y: 1 });
    assert.deepEqual(await me(bob), { x: 2, y: 1 });
    // One tile from Bob, two from Alice: near enough for nearby chat, but outside the booth.
    assert.deepEqual(await me(carol), { x: 3, y: 1 });
    assert.deepEqual(await carol.page.evaluate(() => window.__gather.effects.areas), [booth]);
    for (const person of [alice, bob]) {
      await person.page.waitForFunction((n) => window.__gather.remote.length === n, 2, { timeout: 5000 });
    }

    await say(alice, "nearby", "just us in the booth");
    await hears(bob, "just us in the booth");
    // Carol then gets a message for everyone: she would have had the first by now.
    await say(alice, "space", "hello everyone");
    await hears(carol, "hello everyone");
    assert.ok(!(await chatTexts(carol)).includes("just us in the booth"), "carol overheard the booth");

    // And the other way: Carol's nearby message stays outside.
    await say(carol, "nearby", "anyone around?");
    await say(carol, "space", "carol to everyone");
    await hears(alice, "carol to everyone");
    await hears(bob, "carol to everyone");
    for (const person of [alice, bob]) {
      assert.ok(!(await chatTexts(person)).includes("anyone around?"), `${person.name} heard carol from outside`);
    }

    // Bob says he is busy; Carol sees it on his name tag.
    await bob.page.getByTestId("status-select").selectOption("busy");
    await bob.page.getByTestId("status-text").fill("in the booth");
    await bob.page.getByTestId("status-set").click();
    await carol.page.waitForFunction(
      (id) => window.__gather.statuses[id]?.status === "busy" && window.__gather.statuses[id]?.text === "in the booth",
      bob.userId,
      { timeout: 5000 },
    );
    await carol.page
      .locator(`.name-label[data-user="${bob.userId}"] .status-line`)
      .filter({ hasText: "Busy · in the booth" })
      .waitFor({ timeout: 5000 });

    await alice.page.screenshot({ path: join(suite.shots, "rules-private-area-inside.png") });
    await carol.page.screenshot({ path: join(suite.shots, "rules-private-area-outside.png") });
    for (const person of [alice, bob, carol]) assert.deepEqual(person.errors, [], `${person.name}: page errors`);

    // Nor can Carol read the booth's words afterwards, in the space's chat history.
    const history = await api("GET", `/space/${room}/chat?limit=50`, undefined, carol.token);
    assert.deepEqual(
      history.messages.filter((m) => m.text === "just us in the booth"),
      [],
      "the chat history shows carol what the booth said",
    );
  },
);

test(
  "a locked area turns someone away until a person inside lets them in",
  { skip: suite.skip, timeout: 120_000 },
  async () => {
    const owner = await account("owner");
    const study = { name: "Study", x: 0, y: 0, width: 3, height: 3, locked: true };
    const room = await spaceWith(owner, "Library", "10x6", {
      areas: [study],
      spawns: [
        { x: 4, y: 1, name: "hall" },
        { x: 4, y: 3, name: "stairs" },
      ],
    });

    // The owner walks into the empty study without knocking, and on to its far side.
    const host = await enter(owner, `/space/${room}#hall`);
    await host.page.locator("canvas").click({ position: { x: 600, y: 20 } });
    await step(host, "ArrowLeft", { x: 3, y: 1 });
    await step(host, "ArrowLeft", { x: 2, y: 1 });
    await step(host, "ArrowLeft", { x: 1, y: 1 });
    assert.equal(await host.page.evaluate(() => window.__gather.corrections), 0);

    // Grace comes up to the door: her step in is refused, and the host hears a knock.
    const grace = await enter(await account("grace"), `/space/${room}#stairs`);
    await grace.page.waitForFunction(
      (id) => window.__gather.remote.some((u) => u.id === id && u.x === 1 && u.y === 1),
      host.userId,
      { timeout: 5000 },
    );
    await grace.page.locator("canvas").click({ position: { x: 600, y: 20 } });
    await step(grace, "ArrowUp", { x: 4, y: 2 });
    await step(grace, "ArrowUp", { x: 4, y: 1 });
    await step(grace, "ArrowLeft", { x: 3, y: 1 });
    await grace.page.keyboard.press("ArrowLeft");
    await grace.page.waitForFunction(() => window.__gather.corrections === 1, null, { timeout: 5000 });
    assert.deepEqual(await me(grace), { x: 3, y: 1 });

    await host.page.waitForFunction(
      (id) => window.__gather.knocks.some((k) => k.userId === id && k.area === "Study"),
      grace.userId,
      { timeout: 5000 },
    );
    const knock = host.page.locator(`[data-testid=knocks] li[data-user="${grace.userId}"]`);
    await knock.filter({ hasText: `${grace.username} knocks on Study` }).waitFor({ timeout: 5000 });
    await host.page.screenshot({ path: join(suite.shots, "rules-knock.png") });
    await knock.getByTestId("knock-admit").click();
    await host.page.waitForFunction(() => window.__gather.knocks.length === 0, null, { timeout: 5000 });

    // Let in: she is told so, and this time the step goes through.
    await grace.page.waitForFunction(() => window.__gather.lastAdmitted === "Study", null, { timeout: 5000 });
    await grace.page.locator(".banner").filter({ hasText: "You may enter Study" }).waitFor();
    await step(grace, "ArrowLeft", { x: 2, y: 1 });
    await grace.page.waitForTimeout(500);
    assert.deepEqual(await me(grace), { x: 2, y: 1 }, "the step into the study held");
    assert.equal(await grace.page.evaluate(() => window.__gather.corrections), 1);
    await host.page.waitForFunction(
      (id) => window.__gather.remote.some((u) => u.id === id && u.x === 2 && u.y === 1),
      grace.userId,
      { timeout: 5000 },
    );
    for (const person of [host, grace]) assert.deepEqual(person.errors, [], `${person.name}: page errors`);
  },
);

test(
  "a password lets someone in; a moderator mutes and then kicks them, and they stay out",
  { skip: suite.skip, timeout: 120_000 },
  async () => {
    const owner = await account("owner");
    const { spaceId } = await api("POST", "/space", { name: "Vault", dimensions: "8x6" }, owner.token);
    await api("PUT", `/space/${spaceId}/access`, { access: "password", password: "open sesame" }, owner.token);

    // Dave is asked for the password; a wrong one is refused, the right one lets him in.
    const dave = await account("dave");
    const { page, errors } = await signedInPage(suite.browser, dave, {
      contextOptions: { permissions: ["microphone", "camera"] },
    });
    await page.goto(`${suite.server.url}/space/${spaceId}`);
    const dialog = page.getByTestId("space-dialog");
    await dialog.getByText("This space has a password").waitFor({ timeout: 10_000 });
    await dialog.getByLabel("Password").fill("open saysme");
    await dialog.getByTestId("modal-confirm").click();
    await dialog.getByText("That password is not right").waitFor();
    await dialog.getByLabel("Password").fill("open sesame");
    await dialog.getByTestId("modal-confirm").click();
    await joined(page);
    assert.ok(await page.evaluate((id) => localStorage.getItem(`gather.grant.${id}`), spaceId), "grant kept");
    // A reload goes straight in with the stored grant.
    await page.reload();
    await joined(page);
    assert.equal(await dialog.isHidden(), true);

    // Dave joins voice and video; the relay takes a muting only from someone in it.
    await page.getByTestId("media-join").click();
    await page.waitForFunction(() => window.__gather.media.state === "connected", null, { timeout: 20_000 });
    await page.waitForFunction(() => window.__gather.media.sending.audio && window.__gather.media.sending.camera);

    // The owner, in the space too, sees Dave in the people panel with the moderation buttons.
    const host = await enter(owner, `/space/${spaceId}`);
    const row = host.page.locator(`[data-testid=people] li[data-user="${dave.userId}"]`);
    await row.waitFor({ timeout: 5000 });
    await row.locator("[data-action=mute]").click();
    await page.locator(".banner").filter({ hasText: "A moderator turned off your microphone and camera" }).waitFor();
    await page.waitForFunction(() => !window.__gather.media.sending.audio && !window.__gather.media.sending.camera);
    await page
      .getByTestId("media-mic")
      .filter({ has: page.locator(":scope[aria-pressed=false]") })
      .waitFor();
    // The status line says what happened, until Dave turns something on again.
    await page.getByTestId("media-status").filter({ hasText: "muted by a moderator" }).waitFor();
    await page.getByTestId("media-mic").click();
    await page.waitForFunction(() => window.__gather.media.sending.audio);
    await page.getByTestId("media-status").filter({ hasNotText: "muted by a moderator" }).waitFor();

    await row.locator("[data-action=kick]").click();
    await page.waitForFunction(() => window.__gather.removedShown, null, { timeout: 5000 });
    await dialog.getByText("You were removed from this space").waitFor();
    await page.getByTestId("status").filter({ hasText: "removed by a moderator" }).waitFor();
    await page.waitForFunction(() => window.__gather.media.state === "idle");
    await page.screenshot({ path: join(suite.shots, "rules-kicked.png") });
    // No reconnecting: after a while he is still out, and the owner no longer sees him.
    await page.waitForTimeout(2000);
    assert.equal(await page.evaluate(() => window.__gather.connected), false);
    await host.page.waitForFunction((id) => !window.__gather.remote.some((u) => u.id === id), dave.userId, {
      timeout: 5000,
    });
    assert.deepEqual(errors, []);
    assert.deepEqual(host.errors, []);
  },
);

test(
  "a builder paints a wall in build mode; someone else sees it at once and cannot walk into it",
  { skip: suite.skip, timeout: 120_000 },
  async () => {
    const owner = await account("owner");
    const builder = await account("builder");
    const room = await spaceWith(owner, "Workshop", "8x5", {
      spawns: [
        { x: 1, y: 2, name: "bench" },
        { x: 5, y: 2, name: "door" },
      ],
    });
    await api("PUT", `/space/${room}/members`, { username: builder.username, role: "builder" }, owner.token);

    const erin = await enter(builder, `/space/${room}#bench`);
    const frank = await enter(await account("frank"), `/space/${room}#door`);
    assert.deepEqual(await me(frank), { x: 5, y: 2 });
    // Frank is no builder: no build button for him.
    assert.equal(await frank.page.getByTestId("build-toggle").isHidden(), true);

    await erin.page.getByTestId("build-toggle").click();
    await erin.page.getByTestId("build-tool").selectOption("impassable");
    const at = await erin.page.evaluate(() => window.__gather.tileOnScreen(4, 2));
    await erin.page.mouse.click(at.x, at.y);
    await erin.page.getByTestId("build-save").click();

    await frank.page.waitForFunction(
      () => window.__gather.effects.impassable.some((p) => p.x === 4 && p.y === 2),
      null,
      { timeout: 5000 },
    );
    await frank.page.locator("canvas").click({ position: { x: 600, y: 20 } });
    await frank.page.keyboard.press("ArrowLeft");
    await frank.page.waitForFunction(() => window.__gather.corrections === 1, null, { timeout: 5000 });
    assert.deepEqual(await me(frank), { x: 5, y: 2 });
    const audit = await api("GET", `/space/${room}/audit`, undefined, owner.token);
    assert.ok(
      audit.entries.some((e) => e.action === "effects" && e.actorId === builder.userId),
      JSON.stringify(audit),
    );
    await erin.page.screenshot({ path: join(suite.shots, "rules-build.png") });
    for (const person of [erin, frank]) assert.deepEqual(person.errors, [], `${person.name}: page errors`);
  },
);
