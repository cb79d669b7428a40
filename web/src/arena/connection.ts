// The arena's WebSocket: joins on open; when the line drops, reconnects with backoff and
// resumes the same membership (nobody sees us go, and what we missed comes again), or joins
// afresh when that is no longer possible. Stops for good when the server says so (space
// deleted, replaced by another tab, bad token, refused entry, sent out by a moderator).

import { parseFrame } from "./protocol";
import { ChatOutbox } from "./chatoutbox";
import { Resumption } from "./resumption";
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
/** The answers to a chat message that mean it was not stored, and will not be as it is. */
const CHAT_REFUSALS = new Set(["invalid-chat", "no-recipient", "recipient-absent", "rate-limited"]);
/** What the status line says after `removed`, by its reason. */
const REMOVED = new Map([
  ["kicked", "removed by a moderator"],
  ["banned", "banned from this space"],
]);
/**
 * Outside every space, so a move there is always refused with where we stand. Steps sent
 * just before a drop may have been lost, and an accepted step is never answered, so after
 * a resume this asks; the world predicts no step until the answer (see `World`).
 */
export const NOWHERE: Point = { x: -1, y: -1 };

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
  /**
   * Every frame but the ones only the link needs (a failed resume, a second acknowledgement
   * of a chat message). After `resumed` without a snapshot the picture of the space is still
   * right; a `space-joined` replaces it.
   */
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
  /** In the space on this socket (joined or resumed), so chat may go out. */
  private live = false;
  /** A `resume` went out on this socket and is not answered yet. */
  private resuming = false;
  /** A resume needed a fresh start, and the server is joining us again by itself. */
  private serverRejoining = false;
  private myId: string | null = null;
  private readonly resumption = new Resumption();
  private readonly chats = new ChatOutbox();

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

  /** Sends now when in the space, or once back in; again after a reconnect until answered. */
  chat(text: string, scope: ChatScope, to?: string) {
    const payload = this.chats.add(text, scope, to);
    if (this.live) this.send({ type: "chat", payload });
  }

  stop(detail = "left") {
    this.stopped = true;
    this.live = false;
    if (this.timer) clearTimeout(this.timer);
    // With a close frame, which the server takes for leaving at once.
    this.socket?.close(1000);
    this.resumption.forget();
    this.options.onState("stopped", detail);
  }

  private open() {
    const create = this.options.createSocket ?? ((url: string) => new WebSocket(url));
    this.options.onState(this.attempt === 0 ? "connecting" : "reconnecting");
    const socket = create(this.options.url);
    this.socket = socket;
    this.live = false;
    this.resuming = false;
    this.serverRejoining = false;
    this.resumption.opened();
    socket.onopen = () => socket.send(JSON.stringify(this.firstFrame()));
    socket.onmessage = (event) => {
      // A socket given up on (stopped, then started again) may still be talking.
      if (socket === this.socket) this.receive(String(event.data));
    };
    socket.onclose = (event) => {
      if (this.stopped || socket !== this.socket) return;
      this.live = false;
      this.resumption.closed();
      const final = FINAL_CLOSES.get(event.code);
      if (final !== undefined) {
        this.stop(final);
        return;
      }
      if (event.code === CloseReason.SERVER_SHUTDOWN.code) this.serverStopping = true;
      // A stopping server ends every membership: the one that comes back has none to resume.
      if (this.serverStopping) this.resumption.forget();
      const delay = backoffDelay(this.attempt++);
      const retry = `retrying in ${Math.round(delay / 100) / 10} s`;
      this.options.onState("reconnecting", this.serverStopping ? `the server is restarting; ${retry}` : retry);
      this.timer = setTimeout(() => this.open(), delay);
    };
  }

  private receive(text: string) {
    const frame = parseFrame(text);
    this.resumption.count(frame);
    if (!frame) return;
    switch (frame.type) {
      case "resumed":
        this.onResumed(frame);
        return;
      case "space-joined":
        this.myId = frame.payload.userId;
        this.attempt = 0;
        this.arrived = true;
        this.serverStopping = false;
        this.serverRejoining = false;
        this.options.onState("open");
        this.options.onFrame(frame);
        this.backIn();
        return;
      case "chat":
        if (frame.payload.userId === this.myId && !this.chats.acknowledge(frame.payload)) return;
        break;
      case "server-shutdown":
        this.serverStopping = true;
        break;
      case "error":
        if (this.onError(frame)) return;
        break;
      case "removed":
        // Stopped before the close that follows, so that close is not taken for a drop.
        this.stop(REMOVED.get(frame.payload.reason) ?? "removed from this space");
        this.options.onFrame(frame);
        return;
    }
    this.options.onFrame(frame);
  }

  private onResumed(frame: Extract<ServerFrame, { type: "resumed" }>) {
    const { snapshot } = frame.payload;
    this.resuming = false;
    this.resumption.resumed(snapshot);
    this.options.onFrame(frame);
    if (snapshot) {
      // Too much was missed: a `space-joined` follows, and we are back in with it.
      this.serverRejoining = true;
      return;
    }
    this.attempt = 0;
    this.options.onState("open");
    this.send({ type: "move", payload: NOWHERE });
    this.backIn();
  }

  /** Handles an error frame the link owns; false when it is the arena's to show. */
  private onError(frame: Extract<ServerFrame, { type: "error" }>): boolean {
    const { code, message } = frame.payload;
    if (code === "resume-failed") {
      // Nothing left to resume (the wait is over, or this is another node): a fresh join,
      // on this same socket.
      this.resuming = false;
      this.send(this.joinFrame());
      return true;
    }
    if (this.resuming && !FINAL_ERRORS.has(code)) {
      // The resume did not happen (the server could not read the session, say), so the
      // membership still waits: try again on another socket, after the usual pause.
      this.resuming = false;
      this.socket?.close(1000);
      return true;
    }
    if (code === "password-required" && this.serverRejoining && this.options.grant?.()) {
      // The server's own rejoin after a snapshot goes without our grant; join with it.
      this.serverRejoining = false;
      this.send(this.joinFrame());
      return true;
    }
    if (FINAL_ERRORS.has(code)) {
      this.options.onFrame(frame);
      this.stop(message);
      return true;
    }
    if (this.live && CHAT_REFUSALS.has(code)) this.chats.refused();
    return false;
  }

  /** In the space again: whatever chat is still unanswered goes (again), oldest first. */
  private backIn() {
    this.live = true;
    for (const payload of this.chats.unanswered) this.send({ type: "chat", payload });
  }

  private firstFrame(): ClientFrame {
    const { spaceId, token } = this.options;
    if (!this.resumption.resumable) return this.joinFrame();
    this.resuming = true;
    return { type: "resume", payload: this.resumption.resume(spaceId, token) };
  }

  private joinFrame(): ClientFrame {
    const { spaceId, token, spawn } = this.options;
    const grant = this.options.grant?.();
    const resumeKey = this.resumption.join();
    return {
      type: "join",
      payload: {
        spaceId,
        token,
        ...(spawn && !this.arrived ? { spawn } : {}),
        ...(grant ? { grant } : {}),
        resumeKey,
      },
    };
  }
}
