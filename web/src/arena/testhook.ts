// A read-only view of the arena for browser tests: `window.__gather`.

import type { ArenaScene } from "./scene";
import type { LinkState } from "./connection";
import type { World } from "./world";
import type { ChatBody, EffectsBody } from "../generated/wire";
import type { Person } from "./labels";
import type { ArenaMedia } from "./media/media";
import type { MediaState } from "./media/phase";
import type { SlotCounters, UserCounters } from "./media/stats";
import type { SpaceDialogs } from "./spacedialogs";
import type { PortalReached } from "./world";
import type { PersonStatus } from "./status";
import type { Knock } from "./knocks";

/** Voice and video, as far as a browser test needs to see. */
export interface MediaTestHook {
  readonly state: MediaState;
  /** Who we are connected to (within hearing), nearest first. */
  readonly peers: string[];
  /** Whose track each receive slot carries. */
  readonly slots: { audio: (string | null)[]; camera: (string | null)[]; screen: (string | null)[] };
  readonly sending: { audio: boolean; camera: boolean; screen: boolean };
  /** Who is speaking now, by audio level (ourselves included). */
  readonly speaking: string[];
  /** The message the media panel shows, if any. */
  readonly problem: string | null;
  /** `getStats()` now, per remote user: framesDecoded of camera and screen, audio energy and level. */
  stats(): Promise<Record<string, UserCounters>>;
  /** The same per slot stream (`camera-0`), slots bound to nobody included. */
  slotStats(): Promise<Record<string, SlotCounters>>;
}

export interface TestHook {
  readonly me: { id: string; x: number; y: number } | null;
  readonly remote: { id: string; x: number; y: number }[];
  /** Where each person is drawn right now (between tiles while gliding). */
  readonly rendered: { id: string; x: number; y: number }[];
  readonly elements: number;
  /** Predicted steps the server refused (each snapped us back). */
  readonly corrections: number;
  readonly frameMs: number;
  /**
   * The arena's own JavaScript work of each frame drawn since the last call, in ms: applying
   * server frames, interpolation, instance and label updates (not WebGL's rendering).
   */
  takeFrameWork(): number[];
  readonly connected: boolean;
  readonly webgl: boolean;
  /** The floor image's URL once it has loaded and is drawn; null before, or without one. */
  readonly floorImage: string | null;
  /** Chat messages received live, oldest first. */
  readonly chat: { userId: string; text: string; scope: string }[];
  /** Speech bubbles showing now. */
  readonly bubbles: { userId: string; text: string }[];
  readonly media: MediaTestHook;
  /** The space this page is in. */
  readonly spaceId: string;
  /** The tile effects as the world holds them (from GET space, then effects-changed). */
  readonly effects: EffectsBody;
  /** The last portal to another space we stepped onto. */
  readonly lastPortal: PortalReached | null;
  /** Whether the "go to <space>?" dialog is open. */
  readonly portalDialogOpen: boolean;
  /** Says yes to that dialog (and so leaves for the other space); false when none is open. */
  confirmPortal(): boolean;
  /** Statuses by user id; someone missing is plainly available. */
  readonly statuses: Record<string, PersonStatus>;
  /** Knocks on the locked area we stand in, waiting for an answer, oldest first. */
  readonly knocks: Knock[];
  /** Lets a knocker in, as their "Let in" button does. */
  admit(userId: string): void;
  /** The last locked area someone let us into, if any. */
  readonly lastAdmitted: string | null;
  /** Whether the "you were removed" notice is showing. */
  readonly removedShown: boolean;
  /** Where tile (x, y) is on screen now, to click it; null without 3D. */
  tileOnScreen(x: number, y: number): { x: number; y: number } | null;
}

/** The arena's own parts the hook reads, beyond the world. */
export interface ArenaParts {
  spaceId: string;
  dialogs: SpaceDialogs;
  /** Sends `admit` for a knocker. */
  admit: (userId: string) => void;
}

declare global {
  interface Window {
    __gather?: TestHook;
  }
}

export function exposeTestHook(
  world: World,
  scene: () => ArenaScene | null,
  link: () => LinkState,
  chat: ChatBody[],
  people: Map<string, Person>,
  media: ArenaMedia,
  parts: ArenaParts,
): () => void {
  const mediaHook: MediaTestHook = {
    get state() {
      return media.state;
    },
    get peers() {
      return media.peerIds;
    },
    get slots() {
      return media.slotBindings;
    },
    get sending() {
      return media.sendingNow;
    },
    get speaking() {
      return media.speaking;
    },
    get problem() {
      return media.problem;
    },
    stats: async () => Object.fromEntries(await media.userStats()),
    slotStats: async () => Object.fromEntries(await media.slotStats()),
  };
  const hook: TestHook = {
    get me() {
      return world.myId && world.me ? { id: world.myId, ...world.me } : null;
    },
    get remote() {
      return [...world.others].map(([id, p]) => ({ id, x: p.x, y: p.y }));
    },
    get rendered() {
      const s = scene();
      const ids = [world.myId, ...world.others.keys()].filter((id): id is string => !!id);
      return ids.flatMap((id) => {
        const at = s?.avatars.shownPosition(id);
        return at ? [{ id, x: at.x - 0.5, y: at.z - 0.5 }] : [];
      });
    },
    get elements() {
      return world.elements.size;
    },
    get corrections() {
      return world.corrections;
    },
    get frameMs() {
      return scene()?.frameMs ?? 0;
    },
    takeFrameWork() {
      return scene()?.takeWork() ?? [];
    },
    get connected() {
      return link() === "open";
    },
    get webgl() {
      return scene() !== null;
    },
    get floorImage() {
      return scene()?.floor.imageUrl ?? null;
    },
    get chat() {
      return chat.map((m) => ({ userId: m.userId, text: m.text, scope: m.scope }));
    },
    get bubbles() {
      const now = performance.now();
      return [...people].flatMap(([userId, p]) =>
        p.bubble && (p.bubbleUntil ?? 0) > now ? [{ userId, text: p.bubble }] : [],
      );
    },
    media: mediaHook,
    spaceId: parts.spaceId,
    get effects() {
      return structuredClone(world.effects);
    },
    get lastPortal() {
      return world.lastPortal;
    },
    get portalDialogOpen() {
      return parts.dialogs.portalOpen;
    },
    confirmPortal: () => parts.dialogs.confirmPortal(),
    get statuses() {
      return Object.fromEntries(world.statuses);
    },
    get knocks() {
      return world.knocks.list;
    },
    admit: (userId) => parts.admit(userId),
    get lastAdmitted() {
      return world.lastAdmitted;
    },
    get removedShown() {
      return parts.dialogs.removedShown;
    },
    tileOnScreen: (x, y) => scene()?.screenOf({ x, y }) ?? null,
  };
  window.__gather = hook;
  return () => {
    if (window.__gather === hook) delete window.__gather;
  };
}
