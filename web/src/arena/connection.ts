// The arena's WebSocket: joins on open, reconnects with backoff when the line drops, and
// stops for good when the server says so (space deleted, replaced by another tab, bad token,
// refused entry, sent out by a moderator).

import { parseFrame } from "./protocol";
import { CloseReason, type ChatScope, type ClientFrame, type Point, type ServerFrame } from "../generated/wire";

export type LinkState = "connecting" | "open" | "reconnecting" | "stopped";

/** Close codes after which reconnecting would be wrong, with what to tell the user. */
const FINAL_CLOSES = new Map<number, string>([
  [CloseReason.REPLACED.code, "opened in another window"],
  [CloseReason.SPACE_CLOSED.code, "the space was deleted"],
  [CloseReason.SESSION_REVOKED.code, "you were signed out"],
]);
/**
 * Join errors that another attempt cannot fix by itself. For `password-required` the arena
 * asks for the password and starts the connection again with a grant.
 */
const FINAL_ERRORS = new Set(["invalid-token", "unknown-space", "banned", "members-only", "password-required"]);
/** What the status line says after `removed`, by its reason. */
const REMOVED = new Map([
  ["kicked", "removed by a moderator"],
  ["banned", "banned from this space"],
]);

/** Delay before reconnect attempt `attempt` (0-based): doubling from 500 ms to 10 s, ±20%. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(10_000, 500 * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export interface ConnectionOptions {
  url: string;
  spaceId: string;
  token: string;
  /** The spawn tile to arrive on at the first join (`/space/<id>#<spawn>`). */
  spawn?: string;
  /** The grant for a password-protected space, read at each join. */
  grant?: () => string | undefined;
  onFrame: (frame: ServerFrame) => void;
  onState: (state: LinkState, detail?: string) => void;
  createSocket?: (url: string) => WebSocket;
}

export class SpaceConnection {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The server said it is stopping: the coming close is a restart, not a broken line. */
  private serverStopping = false;
  /** A named spawn counts for arriving only; a rejoin after a drop goes wherever is free. */
  private arrived = false;

  constructor(private readonly options: ConnectionOptions) {}

  /** Connects, or connects again after a stop (say, once a password gave a grant). */
  start() {
    this.stopped = false;
    this.attempt = 0;
    this.open();
  }

  send(frame: ClientFrame) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  move(to: Point) {
    this.send({ type: "move", payload: to });
  }

  chat(text: string, scope: ChatScope, to?: string) {
    this.send({ type: "chat", payload: { text, scope, ...(to ? { to } : {}) } });
  }

  stop(detail = "left") {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket?.close(1000);
    this.options.onState("stopped", detail);
  }

  private open() {
    const create = this.options.createSocket ?? ((url: string) => new WebSocket(url));
    this.options.onState(this.attempt === 0 ? "connecting" : "reconnecting");
    const socket = create(this.options.url);
    this.socket = socket;
    socket.onopen = () => socket.send(JSON.stringify(this.joinFrame()));
    socket.onmessage = (event) => {
      const frame = parseFrame(String(event.data));
      if (!frame) return;
      if (frame.type === "space-joined") {
        this.attempt = 0;
        this.arrived = true;
        this.serverStopping = false;
        this.options.onState("open");
      }
      if (frame.type === "server-shutdown") this.serverStopping = true;
      if (frame.type === "error" && FINAL_ERRORS.has(frame.payload.code)) {
        this.options.onFrame(frame);
        this.stop(frame.payload.message);
        return;
      }
      if (frame.type === "removed") {
        // Stopped before the close that follows, so that close is not taken for a drop.
        this.stop(REMOVED.get(frame.payload.reason) ?? "removed from this space");
        this.options.onFrame(frame);
        return;
      }
      this.options.onFrame(frame);
    };
    socket.onclose = (event) => {
      if (this.stopped || socket !== this.socket) return;
      const final = FINAL_CLOSES.get(event.code);
      if (final !== undefined) {
        this.stop(final);
        return;
      }
      if (event.code === CloseReason.SERVER_SHUTDOWN.code) this.serverStopping = true;
      const delay = backoffDelay(this.attempt++);
      const retry = `retrying in ${Math.round(delay / 100) / 10} s`;
      this.options.onState("reconnecting", this.serverStopping ? `the server is restarting; ${retry}` : retry);
      this.timer = setTimeout(() => this.open(), delay);
    };
  }

  private joinFrame(): ClientFrame {
    const { spaceId, token, spawn } = this.options;
    const grant = this.options.grant?.();
    return {
      type: "join",
      payload: { spaceId, token, ...(spawn && !this.arrived ? { spawn } : {}), ...(grant ? { grant } : {}) },
    };
  }
}
