// What the client believes about a space: its size and furniture, where everyone stands,
// and our own predicted position. Pure: frames in, changes out; no DOM, no three.js.
// The server owns the rules; this only mirrors their outcome.

import type { ChatBody, EffectsBody, SpaceElementBody, Point, ServerFrame } from "../generated/wire";
import { areaContains, completeEffects } from "./effects";
import { KnockQueue, type Knock } from "./knocks";
import { isMediaFrame, type MediaFrame } from "./media/frames";
import type { PersonStatus } from "./status";

export type Direction = "up" | "down" | "left" | "right";

const STEPS: Record<Direction, Point> = {
  up: { x: 0, y: -1 },
  down: { x: 0, y: 1 },
  left: { x: -1, y: 0 },
  right: { x: 1, y: 0 },
};

/** What a frame changed, for the scene and the HUD to react to. */
export type Change =
  /** In the space: `rejoined` when an earlier membership ended (what it missed is not coming). */
  | { kind: "joined"; me: Point; rejoined: boolean }
  | { kind: "others-reset" }
  | { kind: "other-added"; userId: string }
  | { kind: "other-moved"; userId: string }
  | { kind: "other-removed"; userId: string }
  | { kind: "me-corrected" }
  | { kind: "elements-changed" }
  | { kind: "closed" }
  | { kind: "chat"; message: ChatBody }
  /** Voice and video signalling, for the media module: the world keeps none of it. */
  | { kind: "media"; frame: MediaFrame }
  | { kind: "revoked" }
  | { kind: "server-stopping" }
  | { kind: "error"; code: string; message: string }
  | { kind: "effects-changed" }
  /** A portal moved us within the space: shown at once, no gliding. */
  | { kind: "me-teleported" }
  /** We stepped onto a portal to another space: ask before going. */
  | { kind: "portal-reached"; portal: PortalReached }
  | { kind: "status-changed"; userId: string }
  | { kind: "media-muted" }
  /** Someone knocks on the locked private area we stand in. */
  | { kind: "knock"; knock: Knock }
  /** Knocks were dropped: the knocker came in or went, or we left the area. */
  | { kind: "knocks-changed" }
  /** Someone inside let us into a locked private area: we may step in now. */
  | { kind: "admitted"; area: string }
  /** A moderator sent us out; the socket closes next and must not reconnect. */
  | { kind: "removed"; reason: string };

export interface PortalReached {
  spaceId: string;
  spawn?: string;
}

export class World {
  readonly width: number;
  readonly height: number;
  myId: string | null = null;
  /** Where we show ourselves: the server's position plus any moves not yet refused. */
  me: Point | null = null;
  readonly others = new Map<string, Point>();
  readonly elements = new Map<string, SpaceElementBody>();
  /** How many times the server refused a predicted step. */
  corrections = 0;
  /** The space's tile effects, as last drawn: from GET space, then each effects-changed. */
  effects: EffectsBody;
  /** Statuses people set; someone missing here is plainly available. */
  readonly statuses = new Map<string, PersonStatus>();
  /** The last portal to another space that we stepped onto. */
  lastPortal: PortalReached | null = null;
  /** Knocks on the locked area we stand in, that we may answer with `admit`. */
  readonly knocks = new KnockQueue();
  /** The last locked area someone let us into. */
  lastAdmitted: string | null = null;
  /**
   * After a resume, steps sent just before the drop may have been lost unanswered (an
   * accepted step gets no answer): until the server says where we stand (the connection
   * asks with a move to `NOWHERE`), no step is predicted.
   */
  private placeUnsure = false;

  constructor(width: number, height: number, elements: SpaceElementBody[] = [], effects?: Partial<EffectsBody> | null) {
    this.width = width;
    this.height = height;
    for (const placed of elements) this.addElement(placed);
    this.effects = completeEffects(effects);
  }

  /**
   * The space's furniture and tile effects as the server has them now, in place of ours:
   * after a fresh picture (`space-joined` once in), changes made while we were away came
   * to nobody's socket.
   */
  refresh(elements: SpaceElementBody[], effects: Partial<EffectsBody> | null | undefined): Change[] {
    this.elements.clear();
    for (const placed of elements) this.addElement(placed);
    this.effects = completeEffects(effects);
    return [{ kind: "elements-changed" }, { kind: "effects-changed" }, ...this.knocksChanged()];
  }

  inBounds(p: Point): boolean {
    return p.x >= 0 && p.y >= 0 && p.x < this.width && p.y < this.height;
  }

  /**
   * Predicts one step: moves us at once and returns the target to send. Only the edge of
   * the space is checked here; furniture and people are the server's call, and a refused
   * step comes back as `movement-rejected`, which snaps us back.
   */
  step(direction: Direction): Point | null {
    if (!this.me || this.placeUnsure) return null;
    const d = STEPS[direction];
    const target = { x: this.me.x + d.x, y: this.me.y + d.y };
    if (!this.inBounds(target)) return null;
    this.me = target;
    this.pruneKnocks();
    return target;
  }

  apply(frame: ServerFrame): Change[] {
    if (isMediaFrame(frame)) return [{ kind: "media", frame }];
    switch (frame.type) {
      case "space-joined": {
        const rejoined = this.myId !== null;
        this.myId = frame.payload.userId;
        this.placeUnsure = false;
        this.me = { ...frame.payload.spawn };
        this.others.clear();
        // Whoever is not plainly available is told again right after joining.
        this.statuses.clear();
        this.knocks.clear();
        for (const u of frame.payload.users) this.others.set(u.userId, { x: u.x, y: u.y });
        return [{ kind: "joined", me: { ...this.me }, rejoined }, { kind: "others-reset" }];
      }
      case "user-appeared":
      case "user-joined": {
        const { userId, x, y } = frame.payload;
        if (userId === this.myId) return [];
        this.others.set(userId, { x, y });
        return [{ kind: "other-added", userId }, ...this.knocksChanged()];
      }
      case "movement": {
        const { userId, x, y } = frame.payload;
        if (userId === this.myId) return [];
        const known = this.others.has(userId);
        this.others.set(userId, { x, y });
        return [{ kind: known ? "other-moved" : "other-added", userId }, ...this.knocksChanged()];
      }
      case "movement-rejected": {
        const asked = this.placeUnsure;
        this.placeUnsure = false;
        // After a resume, the answer that we stand where we thought corrects nothing. (The
        // first refusal then may be an older one sent again; it is the server's word too.)
        if (asked && this.me?.x === frame.payload.x && this.me.y === frame.payload.y) return [];
        // The server's word on where we stand; any prediction past it is void.
        this.me = { x: frame.payload.x, y: frame.payload.y };
        this.corrections++;
        return [{ kind: "me-corrected" }, ...this.knocksChanged()];
      }
      case "user-disappeared":
      case "user-left": {
        const removed = this.others.delete(frame.payload.userId);
        this.statuses.delete(frame.payload.userId);
        const knockGone = this.knocks.drop(frame.payload.userId);
        return [
          ...(removed ? [{ kind: "other-removed", userId: frame.payload.userId } as const] : []),
          ...(knockGone ? [{ kind: "knocks-changed" } as const] : []),
        ];
      }
      case "element-added":
        this.addElement(frame.payload);
        return [{ kind: "elements-changed" }];
      case "element-removed":
        return this.removeElement(frame.payload.id) ? [{ kind: "elements-changed" }] : [];
      case "space-closed":
        return [{ kind: "closed" }];
      case "chat":
        return [{ kind: "chat", message: frame.payload }];
      case "session-revoked":
        return [{ kind: "revoked" }];
      case "server-shutdown":
        // The socket closes next; the connection reconnects once the server is back.
        return [{ kind: "server-stopping" }];
      case "error":
        return [{ kind: "error", code: frame.payload.code, message: frame.payload.message }];
      case "effects-changed":
        this.effects = completeEffects(frame.payload.effects);
        return [{ kind: "effects-changed" }, ...this.knocksChanged()];
      case "teleported":
        this.me = { x: frame.payload.x, y: frame.payload.y };
        this.placeUnsure = false;
        return [{ kind: "me-teleported" }, ...this.knocksChanged()];
      case "portal-reached": {
        const { spaceId, spawn } = frame.payload;
        this.lastPortal = spawn ? { spaceId, spawn } : { spaceId };
        return [{ kind: "portal-reached", portal: this.lastPortal }];
      }
      case "user-status": {
        const { userId, status, text } = frame.payload;
        if (status === "available" && !text) this.statuses.delete(userId);
        else this.statuses.set(userId, { status, text });
        return [{ kind: "status-changed", userId }];
      }
      case "knock": {
        const knock = { userId: frame.payload.userId, area: frame.payload.area };
        this.knocks.add(knock);
        return [{ kind: "knock", knock }];
      }
      case "admitted":
        this.lastAdmitted = frame.payload.area;
        return [{ kind: "admitted", area: frame.payload.area }];
      case "media-muted":
        return [{ kind: "media-muted" }];
      case "removed":
        return [{ kind: "removed", reason: frame.payload.reason }];
      case "resumed":
        // Back on a new socket with everything as it was: what we missed follows. After a
        // fresh start (`snapshot`), a `space-joined` follows instead.
        if (!frame.payload.snapshot) this.placeUnsure = true;
        return [];
      default: {
        // A frame type added in crates/protocol fails typecheck here until it is handled;
        // one from a newer server than this client is ignored.
        const unknown: never = frame;
        console.warn("ignoring a frame of unknown type", (unknown as { type?: unknown }).type);
        return [];
      }
    }
  }

  /** We let `userId` in (or decided not to): their knock needs no answer any more. */
  answerKnock(userId: string): boolean {
    return this.knocks.drop(userId);
  }

  /**
   * Drops the knocks that need no answer any more: the knocker stands inside, we no longer
   * do (only those inside may admit), or the area is gone. True when any was dropped.
   */
  pruneKnocks(): boolean {
    if (this.knocks.size === 0) return false;
    return this.knocks.keepOnly((knock) => {
      const area = this.effects.areas.find((a) => a.name === knock.area);
      if (!area || !this.me || !areaContains(area, this.me)) return false;
      const knocker = this.others.get(knock.userId);
      return !knocker || !areaContains(area, knocker);
    });
  }

  private knocksChanged(): Change[] {
    return this.pruneKnocks() ? [{ kind: "knocks-changed" }] : [];
  }

  private addElement(placed: SpaceElementBody) {
    this.elements.set(placed.id, placed);
  }

  private removeElement(id: string): boolean {
    return this.elements.delete(id);
  }
}
