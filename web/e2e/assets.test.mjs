// Uploads in a real browser: an avatar made from your own image, shown over your head in a
// space; a Tiled map imported by an admin, its floor image drawn in the space made from it;
// and a file that is no image, refused in the server's words with nothing else changed.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { callApi, repoRoot } from "./server.mjs";
import { browserSuite, pageApi } from "./browser.mjs";
import { makePng } from "./png.mjs";

const tiled = join(repoRoot, "crates/assets/tests/fixtures/tiled");
const ASSET_URL = /^\/assets\/[0-9a-f]{64}\.png$/;

/** The server's first account, made before any other: only the first may be an admin. */
const ADMIN = { username: `mapper-${Date.now().toString(36)}`, password: "password1" };

const suite = await browserSuite({
  prepare: (server) => callApi(server, "POST", "/signup", { ...ADMIN, type: "admin" }),
});

/** Signs up through the page and stops on the avatar page, where sign-up leads. */
async function signUp(page, username) {
  await page.goto(`${suite.server.url}/`);
  await page.getByRole("button", { name: /create an account/i }).click();
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill("password1");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL("**/avatar");
}

async function newPage() {
  const page = await (await suite.browser.newContext({ viewport: { width: 1100, height: 800 } })).newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  return { page, errors };
}

async function createSpace(page, name, mapLabel) {
  await page.goto(`${suite.server.url}/spaces`);
  await page.getByLabel("Name").fill(name);
  if (mapLabel) await page.locator("select[name=source]").selectOption({ label: mapLabel });
  await page.getByRole("button", { name: "Create" }).click();
  await page.waitForURL("**/space/*");
  await page.waitForFunction(() => window.__gather?.connected && window.__gather.me, null, { timeout: 15_000 });
  return page.url().split("/space/")[1];
}

test(
  "a person uploads an avatar of their own and wears it in a space",
  { skip: suite.skip, timeout: 90_000 },
  async () => {
    const { page, errors } = await newPage();
    await signUp(page, `uploader-${Date.now().toString(36)}`);

    // A 16x16 picture: red and blue halves.
    const picture = makePng(16, 16, (x) => (x < 8 ? [220, 40, 40, 255] : [40, 40, 220, 255]));
    await page
      .getByLabel("Upload an image")
      .setInputFiles({ name: "pixel-me.png", mimeType: "image/png", buffer: picture });
    const mine = page.getByTestId("own-avatars").locator("button.avatar").filter({ hasText: "pixel-me" });
    await mine.waitFor({ timeout: 10_000 });
    const imageUrl = await mine.locator("img").getAttribute("src");
    assert.match(imageUrl, ASSET_URL);
    // The server keeps it as a PNG of the same size, and the page really shows it.
    await page.waitForFunction((url) => {
      const img = document.querySelector(`[data-testid=own-avatars] img[src="${url}"]`);
      return img?.complete && img.naturalWidth === 16;
    }, imageUrl);
    const listed = await pageApi(page, "GET", "/user/avatars");
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.body.avatars.map((a) => [a.name, a.imageUrl]),
      [["pixel-me", imageUrl]],
    );

    // Choosing it leads on, as choosing a shared one does.
    await mine.click();
    await page.waitForURL("**/spaces");
    const me = await pageApi(page, "GET", "/me");
    assert.equal(me.body.avatarId, listed.body.avatars[0].id);

    // In a space, the name tag over their head carries the uploaded image.
    await createSpace(page, "Portrait gallery");
    const myId = await page.evaluate(() => window.__gather.me.id);
    const badge = page.locator(`.name-label[data-user="${myId}"] img`);
    await badge.waitFor({ timeout: 10_000 });
    assert.equal(await badge.getAttribute("src"), imageUrl);
    await page.waitForFunction((id) => {
      const img = document.querySelector(`.name-label[data-user="${id}"] img`);
      return img?.complete && img.naturalWidth === 16;
    }, myId);
    await page.screenshot({ path: join(suite.shots, "own-avatar.png") });
    assert.deepEqual(errors, []);
  },
);

test(
  "an admin imports a Tiled map, and its space shows the floor image",
  { skip: suite.skip, timeout: 120_000 },
  async () => {
    const { page, errors } = await newPage();
    await page.goto(`${suite.server.url}/admin`);
    await page.waitForURL("**/signin");
    await page.getByLabel("Username").fill(ADMIN.username);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/admin");

    const tmj = JSON.parse(readFileSync(join(tiled, "office.tmj"), "utf8"));
    await page.getByLabel("Tiled map").setInputFiles(join(tiled, "office.tmj"));
    // Whatever the map refers to lies beside it: tileset images, external tilesets.
    const beside = readdirSync(tiled).filter((name) => name !== "office.tmj");
    await page.getByLabel("Tileset images").setInputFiles(beside.map((name) => join(tiled, name)));
    await page.getByLabel("Map name").fill("Imported office");
    await page.getByRole("button", { name: "Import map" }).click();
    const result = page.getByTestId("import-result");
    await result.locator(".notice").waitFor({ timeout: 30_000 });
    assert.match(await result.locator(".notice").innerText(), new RegExp(`${tmj.width}x${tmj.height}`));
    const warnings = await result.locator(".warnings li").allInnerTexts();
    if (warnings.length) console.log(`import warnings: ${warnings.join(" | ")}`);

    // The new map is in the admin's list and on offer for new spaces, with its floor image.
    const row = page.getByTestId("map-list").locator("li").filter({ hasText: "Imported office" });
    await row.waitFor({ timeout: 10_000 });
    const mapId = await row.getAttribute("data-map");
    const map = (await pageApi(page, "GET", "/maps")).body.maps.find((m) => m.id === mapId);
    assert.equal(map.dimensions, `${tmj.width}x${tmj.height}`);
    assert.match(map.floorImageUrl, ASSET_URL);

    const spaceId = await createSpace(page, "Office from Tiled", `Imported office (${map.dimensions})`);
    const space = (await pageApi(page, "GET", `/space/${spaceId}`)).body;
    assert.equal(space.floorImageUrl, map.floorImageUrl);
    await page.waitForFunction((url) => window.__gather.floorImage === url, space.floorImageUrl, { timeout: 15_000 });
    // The image covers the floor at one tile's pixels a tile.
    const size = await page.evaluate(async (url) => {
      const img = new Image();
      img.src = url;
      await img.decode();
      return [img.naturalWidth, img.naturalHeight];
    }, space.floorImageUrl);
    assert.deepEqual(size, [tmj.width * tmj.tilewidth, tmj.height * tmj.tileheight]);
    await page.waitForFunction(() => window.__gather.frameMs > 0);
    await page.screenshot({ path: join(suite.shots, "imported-floor.png") });
    assert.deepEqual(errors, []);
  },
);

test(
  "a file that is no image is refused in the drop zone, and nothing else changes",
  { skip: suite.skip, timeout: 60_000 },
  async () => {
    const { page, errors } = await newPage();
    await signUp(page, `sneaky-${Date.now().toString(36)}`);
    await page.getByTestId("own-avatars").getByText("None yet").waitFor();

    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><script>alert(document.cookie)</script>' +
        '<rect width="16" height="16" fill="red"/></svg>',
    );
    // What the server says to these bytes, asked directly.
    const token = await page.evaluate(() => localStorage.getItem("gather.token"));
    const form = new FormData();
    form.append("file", new Blob([svg], { type: "image/svg+xml" }), "evil.svg");
    const direct = await fetch(`${suite.server.url}/api/v1/assets`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    const refusal = (await direct.json()).error;
    assert.equal(direct.status, 400);
    assert.equal(refusal.code, "not-an-image");

    await page
      .getByLabel("Upload an image")
      .setInputFiles({ name: "evil.svg", mimeType: "image/svg+xml", buffer: svg });
    const alert = page.locator(".dropzone [role=alert]");
    await alert.filter({ hasText: refusal.message }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator(".dropzone progress").isHidden(), true);

    // Still here, still no avatar of their own, none chosen.
    assert.match(page.url(), /\/avatar$/);
    await page.getByTestId("own-avatars").getByText("None yet").waitFor();
    assert.deepEqual((await pageApi(page, "GET", "/user/avatars")).body.avatars, []);
    assert.equal((await pageApi(page, "GET", "/me")).body.avatarId, null);
    // The page-wide error line stays empty: the refusal belongs to the drop zone.
    assert.equal(await page.locator("main > .error").isHidden(), true);
    assert.deepEqual(errors, []);
  },
);
