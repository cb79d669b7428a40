// Proximity voice and video through the server's real media relay, in browser contexts
// with fake cameras and microphones: people who join audio/video and walk up to each other
// see and hear each other; walking apart stops it; a newcomer sees a shared screen.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { callApi } from "./server.mjs";
import { browserSuite, MEDIA_ARGS, signedInPage } from "./browser.mjs";

/** Wide enough to stand well beyond hearing (5 tiles; links drop beyond 6). */
const WIDTH = 20;
const HEIGHT = 5;

const suite = await browserSuite({ args: MEDIA_ARGS });

const api = (method, path, body, token) => callApi(suite.server, method, path, body, token);

/** A space of its own for the test, made by someone who never enters it. */
async function createSpace() {
  const username = `host-${Date.now().toString(36)}`;
  await api("POST", "/signup", { username, password: "password1", type: "user" });
  const { token } = await api("POST", "/signin", { username, password: "password1" });
  const { spaceId } = await api("POST", "/space", { name: "Media room", dimensions: `${WIDTH}x${HEIGHT}` }, token);
  return spaceId;
}

/**
 * A person with an account, signed in in a browser of their own, standing in `spaceId`.
 * `refuse` lists what their browser will not give ("audio", "video"), as if they had said
 * no to the prompt.
 */
async function enter(name, spaceId, refuse = []) {
  const username = `${name}-${Date.now().toString(36)}`;
  await api("POST", "/signup", { username, password: "password1", type: "user" });
  const { token, userId } = await api("POST", "/signin", { username, password: "password1" });
  const { page, errors } = await signedInPage(
    suite.browser,
    { token, userId, username },
    {
      contextOptions: { permissions: ["microphone", "camera"] },
      prepare: async (context) => {
        if (refuse.length === 0) return;
        await context.addInitScript((refuse) => {
          const ask = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
          navigator.mediaDevices.getUserMedia = (constraints) =>
            refuse.some((kind) => constraints?.[kind])
              ? Promise.reject(new DOMException("Permission denied", "NotAllowedError"))
              : ask(constraints);
        }, refuse);
      },
    },
  );
  // The media frames each page received, to say what happened when an assertion fails.
  const frames = [];
  page.on("websocket", (ws) =>
    ws.on("framereceived", ({ payload }) => {
      const type = String(payload).match(/"type":"([^"]+)"/)?.[1];
      if (type?.startsWith("media-") || type === "error") frames.push(type === "error" ? String(payload) : type);
    }),
  );
  await page.goto(`${suite.server.url}/space/${spaceId}`);
  await page.waitForFunction(() => window.__gather?.connected && window.__gather.me, null, { timeout: 15_000 });
  return { name, userId, page, errors, frames };
}

/** Clicks "Join audio / video" and waits until the relay connection is up. */
async function joinMedia(person) {
  await person.page.getByTestId("media-join").click();
  await person.page
    .waitForFunction(() => window.__gather.media.state === "connected", null, { timeout: 20_000 })
    .catch((e) => assert.fail(`${person.name} did not connect media: ${describe(person)}; ${e.message}`));
}

function describe(person) {
  return `frames ${JSON.stringify(person.frames.slice(-12))}, page errors ${JSON.stringify(person.errors)}`;
}

const KEYS = [
  ["ArrowRight", 1, 0],
  ["ArrowLeft", -1, 0],
  ["ArrowDown", 0, 1],
  ["ArrowUp", 0, -1],
];

/**
 * The key of the first step on a shortest path from `from` to `to` over tiles `open` lets
 * through (breadth first), or undefined when there is none: a greedy step toward the goal
 * would pace back and forth behind someone standing in the way.
 */
function firstStep(from, to, open) {
  const key = (x, y) => `${x},${y}`;
  const first = new Map([[key(from.x, from.y), null]]);
  const queue = [[from.x, from.y]];
  while (queue.length) {
    const [cx, cy] = queue.shift();
    if (cx === to.x && cy === to.y) return first.get(key(cx, cy));
    for (const k of KEYS) {
      const [nx, ny] = [cx + k[1], cy + k[2]];
      if (first.has(key(nx, ny)) || !open(nx, ny)) continue;
      first.set(key(nx, ny), first.get(key(cx, cy)) ?? k);
      queue.push([nx, ny]);
    }
  }
  return undefined;
}

/** Walks `person` to (x, y) with the arrow keys, around anyone standing in the way. */
async function walkTo(person, x, y) {
  const { page } = person;
  await page.locator("canvas").click({ position: { x: 600, y: 20 } });
  // Tiles a step into was refused (someone we did not know of stands there).
  const refused = new Set();
  for (let step = 0; step < 80; step++) {
    const { me, taken } = await page.evaluate(() => ({
      me: window.__gather.me,
      taken: window.__gather.remote.map((u) => `${u.x},${u.y}`),
    }));
    if (me.x === x && me.y === y) return;
    const choice = firstStep(me, { x, y }, (tx, ty) => {
      const tile = `${tx},${ty}`;
      return tx >= 0 && ty >= 0 && tx < WIDTH && ty < HEIGHT && !taken.includes(tile) && !refused.has(tile);
    });
    if (!choice) break;
    const [key, dx, dy] = choice;
    await page.keyboard.press(key);
    const moved = await page
      .waitForFunction(([x, y]) => window.__gather.me.x === x && window.__gather.me.y === y, [me.x + dx, me.y + dy], {
        timeout: 1000,
      })
      .then(() => true)
      .catch(() => false);
    if (!moved) refused.add(`${me.x + dx},${me.y + dy}`);
    // The server's refusal, if any, comes back quickly and snaps us back; one step per 120 ms.
    await page.waitForTimeout(150);
    const at = await page.evaluate(() => window.__gather.me);
    if (at.x === me.x && at.y === me.y) refused.add(`${me.x + dx},${me.y + dy}`);
  }
  const where = await page.evaluate(() => ({
    me: window.__gather.me,
    others: window.__gather.remote,
    connected: window.__gather.connected,
    corrections: window.__gather.corrections,
  }));
  assert.fail(`${person.name} could not walk to ${x},${y}: ${JSON.stringify(where)}; ${describe(person)}`);
}

const stats = (person) => person.page.evaluate(() => window.__gather.media.stats());
const slotStats = (person) => person.page.evaluate(() => window.__gather.media.slotStats());

/** Readers of what `viewer` receives from `other`: frames of the camera, energy of the microphone. */
const video = (viewer, other) => async () => (await stats(viewer))[other.userId]?.camera?.framesDecoded ?? 0;
const audio = (viewer, other) => async () => (await stats(viewer))[other.userId]?.audio?.totalAudioEnergy ?? 0;

/** Gives the relay `settleMs` to stop forwarding, then checks `read()` stays put for a while. */
async function staysStill(what, read, settleMs = 2000) {
  await new Promise((r) => setTimeout(r, settleMs));
  const first = await read();
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(await read(), first, `${what} kept rising`);
}

/** Waits until `read()` (a number from a person's stats) has risen by more than `by`. */
async function rises(what, read, by, timeoutMs = 15_000) {
  const first = await read();
  const deadline = Date.now() + timeoutMs;
  let last = first;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    last = await read();
    if (last - first > by) return;
  }
  assert.fail(`${what} did not rise: ${first} → ${last}`);
}

async function waitForPeer(person, other, timeout = 10_000) {
  await person.page
    .waitForFunction((id) => window.__gather.media.peers.includes(id), other.userId, { timeout })
    .catch(() => assert.fail(`${person.name} is not connected to ${other.name}: ${describe(person)}`));
}

test(
  "people near each other see and hear each other, and stop when they walk apart",
  { skip: suite.skip, timeout: 180_000 },
  async () => {
    const spaceId = await createSpace();
    const alice = await enter("alice", spaceId);
    const bob = await enter("bob", spaceId);

    // Nothing starts before the click: browsers require a gesture, and we ask for none.
    assert.equal(await alice.page.evaluate(() => window.__gather.media.state), "idle");
    await joinMedia(alice);
    await joinMedia(bob);

    // Far apart first: nobody hears anybody. Both spawn at random: whoever stands on the
    // other's goal walks first.
    const bobAt = await bob.page.evaluate(() => window.__gather.me);
    if (bobAt.x === 2 && bobAt.y === 1) {
      await walkTo(bob, 16, 3);
      await walkTo(alice, 2, 1);
    } else {
      await walkTo(alice, 2, 1);
      await walkTo(bob, 16, 3);
    }
    // Bob may have passed Alice on his way; by now that link is gone.
    await alice.page.waitForFunction(() => window.__gather.media.peers.length === 0, null, { timeout: 3000 });

    // Bob walks up to Alice (about 3.6 tiles away): each sees and hears the other.
    await walkTo(bob, 5, 3);
    await waitForPeer(alice, bob);
    await waitForPeer(bob, alice);
    for (const [viewer, other] of [
      [alice, bob],
      [bob, alice],
    ]) {
      await rises(`${other.name}'s video at ${viewer.name}`, video(viewer, other), 10);
      await rises(`${other.name}'s audio at ${viewer.name}`, audio(viewer, other), 0);
      await viewer.page
        .locator(`[data-testid=media-tile][data-user="${other.userId}"].live`)
        .waitFor({ timeout: 10_000 });
      // Our own preview is there too, mirrored.
      await viewer.page.locator(`[data-testid=media-tile][data-user="${viewer.userId}"] video.mirrored`).waitFor();
    }
    // The fake microphone beeps: the beep lights Bob's tile at Alice's.
    await alice.page.waitForFunction((id) => window.__gather.media.speaking.includes(id), bob.userId, {
      timeout: 10_000,
      polling: 50,
    });
    await alice.page.screenshot({ path: join(suite.shots, "media-alice.png") });
    await bob.page.screenshot({ path: join(suite.shots, "media-bob.png") });

    // Alice mutes and turns her camera off: at Bob's, her sound and picture stop (the relay
    // forwards nothing of a track switched off) and her tile falls back to her initial.
    await alice.page.getByTestId("media-mic").click();
    await alice.page.getByTestId("media-camera").click();
    await alice.page.waitForFunction(() => {
      const sending = window.__gather.media.sending;
      return !sending.audio && !sending.camera;
    });
    await staysStill("alice's muted audio at bob", audio(bob, alice));
    await staysStill("alice's stopped camera at bob", video(bob, alice), 0);
    await bob.page.locator(`[data-testid=media-tile][data-user="${alice.userId}"]:not(.live)`).waitFor();
    // And back on, with no new negotiation: the same peer connection carries them again.
    await alice.page.getByTestId("media-mic").click();
    await alice.page.getByTestId("media-camera").click();
    await rises("alice's unmuted audio at bob", audio(bob, alice), 0);
    await rises("alice's camera, back on, at bob", video(bob, alice), 10);

    // Alice picks another camera: Bob keeps seeing her, now through the new device. (Not
    // fake_device_1: Chromium's second fake camera is a Y16 depth camera, which it does not
    // encode at all.)
    await alice.page.getByTestId("media-camera-select").selectOption({ label: "fake_device_2" });
    await alice.page.waitForFunction(
      ([id, label]) =>
        document.querySelector(`[data-testid=media-tile][data-user="${id}"] video`)?.srcObject?.getVideoTracks()[0]
          ?.label === label,
      [alice.userId, "fake_device_2"],
    );
    await rises("alice's second camera at bob", video(bob, alice), 10);

    // Bob walks away, beyond six tiles: within about two seconds nothing of his arrives.
    const bobsSlots = await alice.page.evaluate(
      (id) =>
        Object.entries(window.__gather.media.slots).flatMap(([kind, users]) =>
          users.flatMap((user, i) => (user === id ? [`${kind}-${i}`] : [])),
        ),
      bob.userId,
    );
    assert.ok(
      bobsSlots.some((s) => s.startsWith("camera-")),
      `bob's slots at alice: ${bobsSlots}`,
    );
    await walkTo(bob, 16, 3);
    const leftAt = Date.now();
    await alice.page.waitForFunction((id) => !window.__gather.media.peers.includes(id), bob.userId, {
      timeout: 2000,
    });
    const former = async () => {
      const all = await slotStats(alice);
      return bobsSlots.map((s) => [s, all[s]?.framesDecoded, all[s]?.totalAudioEnergy, all[s]?.packetsReceived]);
    };
    await staysStill("what bob's former slots at alice receive", former, Math.max(0, 2000 - (Date.now() - leftAt)));
    assert.equal((await stats(alice))[bob.userId], undefined);

    // Bob shares his screen; Carol comes in near him (and far from Alice) and sees it.
    await bob.page.getByTestId("media-screen").click();
    await bob.page.waitForFunction(() => window.__gather.media.sending.screen, null, { timeout: 10_000 });
    const carol = await enter("carol", spaceId);
    await joinMedia(carol);
    await walkTo(carol, 18, 1);
    await waitForPeer(carol, bob);
    const bobsScreen = async () => (await stats(carol))[bob.userId]?.screen?.framesDecoded ?? 0;
    await rises("bob's screen at carol", bobsScreen, 5);
    await carol.page.locator(`[data-testid=media-screen-share][data-user="${bob.userId}"]`).waitFor();
    await carol.page.screenshot({ path: join(suite.shots, "media-carol-screen.png") });
    // Alice, far away, gets neither Bob nor Carol.
    assert.deepEqual(await alice.page.evaluate(() => window.__gather.media.peers), []);

    // Leaving media keeps the space: Carol still walks, and Bob no longer hears her.
    await carol.page.getByTestId("media-leave").click();
    await carol.page.waitForFunction(() => window.__gather.media.state === "idle");
    await bob.page.waitForFunction((id) => !window.__gather.media.peers.includes(id), carol.userId, {
      timeout: 5000,
    });
    assert.equal(await carol.page.evaluate(() => window.__gather.connected), true);

    for (const person of [alice, bob, carol]) assert.deepEqual(person.errors, [], `${person.name}: page errors`);
  },
);

test(
  "a refused camera leaves the microphone; refusing both says why and keeps the space usable",
  { skip: suite.skip, timeout: 90_000 },
  async () => {
    const spaceId = await createSpace();
    const dave = await enter("dave", spaceId, ["video"]);
    await joinMedia(dave);
    assert.deepEqual(await dave.page.evaluate(() => window.__gather.media.sending), {
      audio: true,
      camera: false,
      screen: false,
    });
    await dave.page.getByTestId("media-status").filter({ hasText: "microphone only" }).waitFor();

    const erin = await enter("erin", spaceId, ["audio", "video"]);
    await erin.page.getByTestId("media-join").click();
    await erin.page.getByTestId("media-problem").filter({ hasText: "blocked the microphone and camera" }).waitFor();
    assert.equal(await erin.page.evaluate(() => window.__gather.media.state), "idle");
    // The join button is back for another try, and walking still works.
    await erin.page.getByTestId("media-join").waitFor();
    const { me, taken } = await erin.page.evaluate(() => ({
      me: window.__gather.me,
      taken: window.__gather.remote.map((u) => `${u.x},${u.y}`),
    }));
    const [tx, ty] = KEYS.map(([, dx, dy]) => [me.x + dx, me.y + dy]).find(
      ([x, y]) => x >= 0 && y >= 0 && x < WIDTH && y < HEIGHT && !taken.includes(`${x},${y}`),
    );
    await walkTo(erin, tx, ty);
    for (const person of [dave, erin]) assert.deepEqual(person.errors, [], `${person.name}: page errors`);
  },
);
