// A space, live: the 3D scene, who is here, the connection light and the keyboard, and the
// space's rules: statuses, portals, passwords, moderation and the build mode.

import { api, ApiError, parseDimensions, type SpaceDetails } from "../api";
import { h } from "../dom";
import { GrantStore } from "../grants";
import { canBuild, canModerate } from "../roles";
import { session } from "../session";
import { spawnFromHash } from "../arena/arrival";
import { BuildMode } from "../arena/buildmode";
import { SpaceConnection, type LinkState } from "../arena/connection";
import { StepPacer, directionForKey } from "../arena/input";
import { ArenaScene } from "../arena/scene";
import type { Person } from "../arena/labels";
import { KnockNotices } from "../arena/knocknotices";
import { NameLookup } from "../arena/names";
import { PeoplePanel } from "../arena/peoplepanel";
import { SpaceDialogs } from "../arena/spacedialogs";
import { StatusPicker } from "../arena/statuspicker";
import { World, type Change } from "../arena/world";
import { exposeTestHook } from "../arena/testhook";
import { ChatPanel } from "../arena/chatpanel";
import { ArenaMedia } from "../arena/media/media";
import type { ChatBody } from "../generated/wire";

/** How long a speech bubble stays over someone's head. */
const BUBBLE_MS = 6000;
const SERVER_STOPPING = "The server is restarting. You will rejoin by yourself when it is back.";
const MUTED = "A moderator turned off your microphone and camera.";
/** Join refusals that leave nothing to do here but read why. */
const REFUSED = new Set(["banned", "members-only"]);

export function arenaPage(root: HTMLElement, spaceId: string) {
  const stage = h("div", { class: "stage" });
  const labels = h("div", { class: "labels" });
  const status = h("span", { class: "status connecting", "data-testid": "status" }, "Connecting…");
  const banner = h("div", { class: "banner", hidden: true });
  const report = (text: string) => showBanner(banner, text, 4000);
  const people = new PeoplePanel({ spaceId, report });
  const help = h(
    "div",
    { class: "help", hidden: true },
    h("h2", {}, "Keys"),
    h("p", {}, "Arrow keys or W A S D: step one tile"),
    h("p", {}, "Drag: look around · Wheel: zoom"),
    h("p", {}, "?: show or hide this help"),
  );
  const title = h("strong", {}, "Loading…");
  const hereNow = h("h3", {}, "Here now");
  const settingsLink = h(
    "a",
    { href: `/space/${encodeURIComponent(spaceId)}/settings`, hidden: true, "data-testid": "settings-link" },
    "Space settings",
  );
  const hud = h(
    "aside",
    { class: "hud" },
    h("a", { href: "/spaces" }, "← Spaces"),
    title,
    status,
    hereNow,
    people.el,
    h("button", { class: "link", onclick: () => (help.hidden = !help.hidden) }, "Keyboard help (?)"),
    settingsLink,
  );
  const arena = h("div", { class: "arena" }, stage, labels, hud, help, banner);
  root.append(arena);

  const grants = new GrantStore();
  /** What to do once the password gave a grant: load the space, or (once in) join again. */
  let retry: () => void = () => void load();
  const dialogs = new SpaceDialogs(spaceId, grants, () => retry());
  arena.append(dialogs.el);

  let disposed = false;
  let teardown: () => void = () => {};
  const load = () =>
    api
      .space(spaceId, grants.get(spaceId))
      .then((space) => {
        if (disposed) return;
        title.textContent = space.name;
        const { width, height } = parseDimensions(space.dimensions);
        teardown = run(new World(width, height, space.elements, space.effects), space);
      })
      .catch((e) => {
        if (e instanceof ApiError && e.code === "password-required") dialogs.askPassword();
        else showBanner(banner, e instanceof Error ? e.message : String(e));
      });
  void load();

  function run(world: World, space: SpaceDetails) {
    const roster = new Map<string, Person>();
    const myId = session.userId();
    if (myId) roster.set(myId, { name: session.username() ?? "you", imageUrl: null });
    let scene: ArenaScene | null = null;
    try {
      scene = new ArenaScene(stage, labels, world.width, world.height, roster, world.statuses);
      scene.showElements(world.elements.values());
      scene.showEffects(world.effects);
      if (space.floorImageUrl) scene.showFloorImage(space.floorImageUrl);
      scene.start();
    } catch {
      showBanner(banner, "3D is not available in this browser; you can still move and see who is here.");
    }
    people.moderator = canModerate(space.yourRole);
    settingsLink.hidden = !canModerate(space.yourRole);
    retry = () => connection.start();
    const build = new BuildMode({ spaceId, scene: () => scene, saved: () => world.effects, report });
    build.setAllowed(canBuild(space.yourRole));
    const statusPicker = new StatusPicker((payload) => {
      connection.send({ type: "set-status", payload });
      // Shown at once; the server's user-status says the same (or puts it right).
      if (world.myId)
        world.apply({ type: "user-status", payload: { userId: world.myId, ...payload } }).forEach(onChange);
    });
    const chatLog: ChatBody[] = [];
    const chat = new ChatPanel({
      spaceId,
      myId: () => world.myId,
      nameOf: (id) => roster.get(id)?.name ?? "someone",
      send: (text, scope, to) => connection.chat(text, scope, to),
    });
    hud.append(chat.toggle, build.toggle);
    arena.append(chat.el, build.panel);
    const media = new ArenaMedia({
      send: (frame) => connection.send(frame),
      myId: () => world.myId,
      nameOf: (id) => roster.get(id)?.name ?? "…",
    });
    people.el.after(statusPicker.el, media.controls.el);
    arena.append(media.tiles.el);
    const nameOf = (id: string) => roster.get(id)?.name ?? "…";
    /** Lets a knocker in: they may step into the locked area we stand in. */
    const admit = (userId: string) => {
      connection.send({ type: "admit", payload: { userId } });
      if (world.answerKnock(userId)) refreshRoster();
    };
    const knocks = new KnockNotices(admit);
    hereNow.before(knocks.el);
    const refreshRoster = () => {
      const ids = [world.myId, ...world.others.keys()].filter((id): id is string => !!id);
      people.render(ids, world.myId, roster, world.statuses);
      chat.refreshPeople([...world.others.keys()].map((id) => ({ id, name: nameOf(id) })));
      knocks.render(world.knocks.list, nameOf);
    };
    const names = new NameLookup(roster, refreshRoster);
    let link: LinkState = "connecting";
    /** The banner says the server is restarting, until we are back in. */
    let restarting = false;

    const onChange = (change: Change) => {
      switch (change.kind) {
        case "joined":
          if (restarting) {
            restarting = false;
            banner.hidden = true;
          }
          scene?.avatars.ensure(world.myId!, change.me);
          scene?.avatars.snapTo(world.myId!, change.me);
          scene?.follow(world.myId);
          names.want([world.myId!]);
          media.rejoined();
          if (change.rejoined) {
            // A fresh picture: what was said, built or painted while we were away came to
            // no socket of ours; the history and the space itself have it.
            void chat.catchUp();
            api
              .space(spaceId, grants.get(spaceId))
              .then((now) => world.refresh(now.elements, now.effects).forEach(onChange))
              .catch(() => {}); // Best effort, like the chat's catch-up.
          }
          break;
        case "others-reset":
          for (const id of [...roster.keys()]) {
            if (id !== world.myId && !world.others.has(id)) {
              scene?.avatars.remove(id);
              roster.delete(id);
            }
          }
          for (const [id, at] of world.others) scene?.avatars.ensure(id, at);
          names.want([...world.others.keys()]);
          break;
        case "other-added":
          scene?.avatars.ensure(change.userId, world.others.get(change.userId)!);
          names.want([change.userId]);
          break;
        case "other-moved":
          scene?.avatars.moveTo(change.userId, world.others.get(change.userId)!);
          break;
        case "other-removed":
          scene?.avatars.remove(change.userId);
          roster.delete(change.userId);
          break;
        case "me-corrected":
        case "me-teleported":
          if (world.me) scene?.avatars.snapTo(world.myId!, world.me);
          break;
        case "elements-changed":
          scene?.showElements(world.elements.values());
          break;
        case "effects-changed":
          build.redraw();
          break;
        case "portal-reached":
          void dialogs.offerPortal(change.portal);
          break;
        case "status-changed":
        case "knocks-changed":
          break;
        case "knock":
          // A knocker at the door is usually in view (and named) already; one who is not
          // gets a name all the same.
          if (!roster.has(change.knock.userId)) names.want([change.knock.userId]);
          break;
        case "admitted":
          showBanner(banner, `You may enter ${change.area}.`, 5000);
          break;
        case "media-muted":
          media.mutedByModerator();
          showBanner(banner, MUTED, 6000);
          break;
        case "removed":
          dialogs.showRemoved(change.reason);
          media.dispose();
          media.controls.setAvailable(false);
          break;
        case "closed":
          showBanner(banner, "This space was deleted by its owner.");
          break;
        case "chat": {
          chatLog.push(change.message);
          chat.receive(change.message);
          const speaker = roster.get(change.message.userId);
          if (speaker) {
            speaker.bubble = change.message.text;
            speaker.bubbleUntil = performance.now() + BUBBLE_MS;
          }
          break;
        }
        case "revoked":
          showBanner(banner, "You were signed out of this session.");
          break;
        case "server-stopping":
          restarting = true;
          showBanner(banner, SERVER_STOPPING);
          break;
        case "media":
          media.frame(change.frame);
          break;
        case "error":
          if (media.error(change.code, change.message)) break;
          if (change.code === "password-required") dialogs.askPassword();
          else if (REFUSED.has(change.code)) showBanner(banner, change.message);
          else if (change.code !== "rate-limited") showBanner(banner, change.message, 4000);
          break;
      }
      // Not for a step or a media frame: hundreds a second in a crowd, and the panel of
      // who is here (every name in it) does not change with them.
      if (change.kind !== "other-moved" && change.kind !== "media") refreshRoster();
    };

    const connection = new SpaceConnection({
      url: `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`,
      spaceId,
      token: session.token() ?? "",
      spawn: spawnFromHash(location.hash),
      grant: () => grants.get(spaceId),
      onFrame: (frame) => {
        const started = performance.now();
        world.apply(frame).forEach(onChange);
        scene?.addWork(performance.now() - started);
      },
      onState: (state, detail) => {
        link = state;
        status.className = `status ${state}`;
        status.textContent = statusText(state, detail);
      },
    });
    connection.start();

    const pacer = new StepPacer();
    const onKey = (event: KeyboardEvent) => {
      const target = event.target;
      if (
        target instanceof HTMLInputElement ||
        target instanceof HTMLTextAreaElement ||
        target instanceof HTMLSelectElement
      ) {
        return;
      }
      if (event.key === "?") {
        help.hidden = !help.hidden;
        return;
      }
      const direction = directionForKey(event.key);
      if (!direction) return;
      event.preventDefault();
      if (link !== "open" || !pacer.tryStep(performance.now())) return;
      const step = world.step(direction);
      if (!step) return;
      scene?.avatars.moveTo(world.myId!, step);
      connection.move(step);
      // Stepping out of a locked area leaves its knocks to those still inside.
      knocks.render(world.knocks.list, nameOf);
    };
    window.addEventListener("keydown", onKey);
    const unhook = exposeTestHook(
      world,
      () => scene,
      () => link,
      chatLog,
      roster,
      media,
      { spaceId, dialogs, admit },
    );

    return () => {
      window.removeEventListener("keydown", onKey);
      build.dispose();
      media.dispose();
      connection.stop();
      scene?.dispose();
      unhook();
    };
  }

  return () => {
    disposed = true;
    teardown();
  };
}

export function statusText(state: LinkState, detail?: string): string {
  switch (state) {
    case "open":
      return "Connected";
    case "connecting":
      return "Connecting…";
    case "reconnecting":
      return `Reconnecting${detail ? ` (${detail})` : "…"}`;
    case "stopped":
      return `Disconnected${detail ? `: ${detail}` : ""}`;
  }
}

/** Each banner's pending hide, so a passing notice does not take a lasting one with it. */
const bannerTimers = new WeakMap<HTMLElement, ReturnType<typeof setTimeout>>();

function showBanner(banner: HTMLElement, text: string, hideAfterMs?: number) {
  banner.textContent = text;
  banner.hidden = false;
  clearTimeout(bannerTimers.get(banner));
  if (hideAfterMs)
    bannerTimers.set(
      banner,
      setTimeout(() => (banner.hidden = true), hideAfterMs),
    );
}
