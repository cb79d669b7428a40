// A space, live: the 3D scene, who is here, the connection light and the keyboard.

import { api, parseDimensions } from "../api";
import { h } from "../dom";
import { session } from "../session";
import { SpaceConnection, type LinkState } from "../arena/connection";
import { StepPacer, directionForKey } from "../arena/input";
import { ArenaScene } from "../arena/scene";
import type { Person } from "../arena/labels";
import { World, type Change } from "../arena/world";
import { exposeTestHook } from "../arena/testhook";
import { ChatPanel } from "../arena/chatpanel";
import { ArenaMedia } from "../arena/media/media";
import type { ChatBody } from "../generated/wire";

/** How long a speech bubble stays over someone's head. */
const BUBBLE_MS = 6000;
const SERVER_STOPPING = "The server is restarting. You will rejoin by yourself when it is back.";

export function arenaPage(root: HTMLElement, spaceId: string) {
  const stage = h("div", { class: "stage" });
  const labels = h("div", { class: "labels" });
  const status = h("span", { class: "status connecting", "data-testid": "status" }, "Connecting…");
  const people = h("ul", { class: "people", "data-testid": "people" });
  const banner = h("div", { class: "banner", hidden: true });
  const help = h(
    "div",
    { class: "help", hidden: true },
    h("h2", {}, "Keys"),
    h("p", {}, "Arrow keys or W A S D: step one tile"),
    h("p", {}, "Drag: look around · Wheel: zoom"),
    h("p", {}, "?: show or hide this help"),
  );
  const title = h("strong", {}, "Loading…");
  const hud = h(
    "aside",
    { class: "hud" },
    h("a", { href: "/spaces" }, "← Spaces"),
    title,
    status,
    h("h3", {}, "Here now"),
    people,
    h("button", { class: "link", onclick: () => (help.hidden = !help.hidden) }, "Keyboard help (?)"),
  );
  const arena = h("div", { class: "arena" }, stage, labels, hud, help, banner);
  root.append(arena);

  let disposed = false;
  let teardown: () => void = () => {};
  void api
    .space(spaceId)
    .then((space) => {
      if (disposed) return;
      title.textContent = space.name;
      const { width, height } = parseDimensions(space.dimensions);
      teardown = run(new World(width, height, space.elements));
    })
    .catch((e) => showBanner(banner, e instanceof Error ? e.message : String(e)));

  function run(world: World) {
    const roster = new Map<string, Person>();
    const myId = session.userId();
    if (myId) roster.set(myId, { name: session.username() ?? "you", imageUrl: null });
    let scene: ArenaScene | null = null;
    try {
      scene = new ArenaScene(stage, labels, world.width, world.height, roster);
      scene.showElements(world.elements.values());
      scene.start();
    } catch {
      showBanner(banner, "3D is not available in this browser; you can still move and see who is here.");
    }
    const chatLog: ChatBody[] = [];
    const chat = new ChatPanel({
      spaceId,
      myId: () => world.myId,
      nameOf: (id) => roster.get(id)?.name ?? "someone",
      send: (text, scope, to) => connection.chat(text, scope, to),
    });
    hud.append(chat.toggle);
    arena.append(chat.el);
    const media = new ArenaMedia({
      send: (frame) => connection.send(frame),
      myId: () => world.myId,
      nameOf: (id) => roster.get(id)?.name ?? "…",
    });
    people.after(media.controls.el);
    arena.append(media.tiles.el);
    const refreshRoster = () => {
      renderPeople(people, roster, world);
      chat.refreshPeople([...world.others.keys()].map((id) => ({ id, name: roster.get(id)?.name ?? "…" })));
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
          if (world.me) scene?.avatars.snapTo(world.myId!, world.me);
          break;
        case "elements-changed":
          scene?.showElements(world.elements.values());
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
          if (change.code !== "rate-limited") showBanner(banner, change.message, 4000);
          break;
      }
      refreshRoster();
    };

    const connection = new SpaceConnection({
      url: `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`,
      spaceId,
      token: session.token() ?? "",
      onFrame: (frame) => world.apply(frame).forEach(onChange),
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
    };
    window.addEventListener("keydown", onKey);
    const unhook = exposeTestHook(
      world,
      () => scene,
      () => link,
      chatLog,
      roster,
      media,
    );

    return () => {
      window.removeEventListener("keydown", onKey);
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

function renderPeople(list: HTMLElement, roster: Map<string, Person>, world: World) {
  const ids = [world.myId, ...world.others.keys()].filter((id): id is string => !!id);
  list.replaceChildren(
    ...ids.map((id) => {
      const person = roster.get(id);
      return h(
        "li",
        { "data-user": id },
        person?.imageUrl ? h("img", { src: person.imageUrl, alt: "" }) : h("span", { class: "dot" }),
        (person?.name ?? "…") + (id === world.myId ? " (you)" : ""),
      );
    }),
  );
}

function showBanner(banner: HTMLElement, text: string, hideAfterMs?: number) {
  banner.textContent = text;
  banner.hidden = false;
  if (hideAfterMs) setTimeout(() => (banner.hidden = true), hideAfterMs);
}

/** Fetches names and avatar images of new people in batches. */
class NameLookup {
  private pending = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly roster: Map<string, Person>,
    private readonly changed: () => void,
  ) {}

  want(ids: string[]) {
    for (const id of ids) this.pending.add(id);
    this.timer ??= setTimeout(() => void this.flush(), 50);
  }

  private async flush() {
    this.timer = null;
    const ids = [...this.pending].slice(0, 100);
    ids.forEach((id) => this.pending.delete(id));
    if (this.pending.size > 0) this.want([]);
    try {
      for (const card of await api.users(ids)) {
        this.roster.set(card.userId, { name: card.username, imageUrl: card.imageUrl });
      }
      this.changed();
    } catch {
      // Names are a nicety; people still show without them.
    }
  }
}
