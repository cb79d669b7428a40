// Runs the media state machine (`phase.ts`) against a real peer connection: opens and
// closes it, sends our offer and answers over the space's WebSocket, keeps the timers.

import type { ClientFrame, MediaSending } from "../../generated/wire";
import type { MediaFrame } from "./frames";
import { advance, type MediaAction, type MediaInput, type MediaPhase } from "./phase";
import type { MediaPeer } from "./peer";

/** The server gives up on a connection after 15 s and says so; this catches an offer that never reached it. */
const START_TIMEOUT_MS = 20_000;

/** What the session needs of a peer connection (a fake one in tests). */
export type SignallingPeer = Pick<MediaPeer, "offer" | "acceptAnswer" | "answer" | "close">;

export interface SessionOptions<P extends SignallingPeer> {
  send: (frame: ClientFrame) => void;
  /** A fresh peer connection with the tracks we capture now; `failed` is its own give-up. */
  createPeer: (failed: (reason: string) => void) => P;
  /** What we send now, for `media-state`. */
  sending: () => MediaSending;
  changed: (phase: MediaPhase) => void;
}

export class MediaSession<P extends SignallingPeer = MediaPeer> {
  phase: MediaPhase = { state: "idle" };
  private peer: P | null = null;
  /** Whether the server has our offer, and so takes `media-state` and answers. */
  private offered = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private startTimer: ReturnType<typeof setTimeout> | null = null;
  /** Inputs that arrive while another is being handled (a peer failing as it opens) wait their turn. */
  private readonly inbox: MediaInput[] = [];
  private busy = false;

  constructor(private readonly options: SessionOptions<P>) {}

  /** The peer connection of the current attempt, if any. */
  get current(): P | null {
    return this.peer;
  }

  input(input: MediaInput) {
    this.inbox.push(input);
    if (this.busy) return;
    this.busy = true;
    try {
      for (let next = this.inbox.shift(); next; next = this.inbox.shift()) this.handle(next);
    } finally {
      this.busy = false;
    }
  }

  /** The signalling frames; `media-peers` and `media-slots` are not the session's business. */
  frame(frame: MediaFrame) {
    switch (frame.type) {
      case "media-answer":
        return this.input({ kind: "answer", sdp: frame.payload.sdp });
      case "media-offer":
        return this.input({ kind: "offer", sdp: frame.payload.sdp });
      case "media-connected":
        return this.input({ kind: "connected" });
      case "media-failed":
        return this.input({ kind: "relay-failed", reason: frame.payload.reason });
    }
  }

  /** Tells the server what we send now, once it has our offer; before that the offer's own state follows it. */
  sendingChanged() {
    if (this.offered) this.options.send({ type: "media-state", payload: this.options.sending() });
  }

  dispose() {
    this.input({ kind: "leave" });
    this.clearStartTimer();
  }

  private handle(input: MediaInput) {
    const before = this.phase;
    const step = advance(before, input);
    this.phase = step.phase;
    if (step.phase.state !== "starting") this.clearStartTimer();
    for (const action of step.actions) this.run(action);
    if (step.phase !== before) this.options.changed(step.phase);
  }

  private run(action: MediaAction) {
    switch (action.do) {
      case "open":
        return this.open();
      case "close":
        this.peer?.close();
        this.peer = null;
        this.offered = false;
        return;
      case "send-leave":
        return this.options.send({ type: "media-leave", payload: {} });
      case "accept-answer": {
        const peer = this.peer;
        peer?.acceptAnswer(action.sdp).catch((e) => this.peerFailed(peer, "the relay's answer was not accepted", e));
        return;
      }
      case "answer-offer": {
        const peer = this.peer;
        peer?.answer(action.sdp).then(
          (sdp) => {
            if (this.peer === peer) this.options.send({ type: "media-answer", payload: { sdp } });
          },
          (e) => this.peerFailed(peer, "the relay's offer was not accepted", e),
        );
        return;
      }
      case "retry-in":
        this.cancelRetry();
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          this.input({ kind: "retry" });
        }, action.ms);
        return;
      case "cancel-retry":
        return this.cancelRetry();
    }
  }

  private open() {
    this.peer?.close();
    this.peer = null;
    this.offered = false;
    let peer: P;
    try {
      peer = this.options.createPeer((reason) => {
        if (this.peer === peer) this.input({ kind: "peer-failed", reason });
      });
    } catch (e) {
      // No WebRTC here, or a bad ICE server list. Waits its turn: this runs inside `handle`.
      this.input({
        kind: "peer-failed",
        reason: `could not open a connection${e instanceof Error ? `: ${e.message}` : ""}`,
      });
      return;
    }
    this.peer = peer;
    this.clearStartTimer();
    this.startTimer = setTimeout(() => {
      this.startTimer = null;
      if (this.peer === peer) this.input({ kind: "stalled" });
    }, START_TIMEOUT_MS);
    peer.offer().then(
      (sdp) => {
        if (this.peer !== peer) return;
        this.options.send({ type: "media-offer", payload: { sdp } });
        this.offered = true;
        this.sendingChanged();
      },
      (e) => this.peerFailed(peer, "could not make an offer", e),
    );
  }

  private peerFailed(peer: P | null, what: string, error: unknown) {
    if (peer === null || this.peer !== peer) return;
    const detail = error instanceof Error ? `: ${error.message}` : "";
    this.input({ kind: "peer-failed", reason: what + detail });
  }

  private cancelRetry() {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private clearStartTimer() {
    if (this.startTimer) clearTimeout(this.startTimer);
    this.startTimer = null;
  }
}
