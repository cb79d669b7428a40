// The media session's state machine, pure: an input (a click, a signalling frame, an
// error code, a timer) and the current phase in; the next phase and what to do out.
// `session.ts` does the doing, with a real RTCPeerConnection.

import { backoffDelay } from "../connection";

export type MediaState = "idle" | "starting" | "connected" | "failed";

export type MediaPhase =
  | { state: "idle" }
  /** An offer is on its way or answered; `attempt` counts starts since the last connection. */
  | { state: "starting"; attempt: number }
  | { state: "connected" }
  /** `retryInMs` null: starting again would not help (the server has no relay, or refused our SDP). */
  | { state: "failed"; attempt: number; problem: string; retryInMs: number | null };

export type MediaInput =
  | { kind: "join" }
  | { kind: "leave" }
  | { kind: "answer"; sdp: string }
  | { kind: "offer"; sdp: string }
  | { kind: "connected" }
  /** The relay reported the connection failed or lost (`media-failed`). */
  | { kind: "relay-failed"; reason: string }
  /** Our own RTCPeerConnection gave up, or could not apply an SDP. */
  | { kind: "peer-failed"; reason: string }
  /** A start took too long: an offer lost while the WebSocket was down, say. */
  | { kind: "stalled" }
  | { kind: "error"; code: string; message: string }
  /** The retry timer fired. */
  | { kind: "retry" }
  /** The WebSocket joined the space again: the server forgot our media with the old socket. */
  | { kind: "rejoined" };

export type MediaAction =
  /** Close any peer connection, open a fresh one and send its offer. */
  | { do: "open" }
  | { do: "close" }
  | { do: "send-leave" }
  | { do: "accept-answer"; sdp: string }
  | { do: "answer-offer"; sdp: string }
  | { do: "retry-in"; ms: number }
  | { do: "cancel-retry" };

export interface Step {
  phase: MediaPhase;
  actions: MediaAction[];
}

/** A full relay is worth asking again, but not at once. */
const FULL_RETRY_MS = 15_000;

/** `random` jitters the backoff; tests pass a constant. */
export function advance(phase: MediaPhase, input: MediaInput, random: () => number = Math.random): Step {
  const stay = { phase, actions: [] };
  const live = phase.state === "starting" || phase.state === "connected";
  const fail = (problem: string, retry: Retry) => failWith(phase, problem, retry, random);
  switch (input.kind) {
    case "join":
      return phase.state === "idle" ? { phase: { state: "starting", attempt: 0 }, actions: [{ do: "open" }] } : stay;
    case "leave":
      if (phase.state === "idle") return stay;
      return { phase: { state: "idle" }, actions: [{ do: "cancel-retry" }, { do: "close" }, { do: "send-leave" }] };
    case "answer":
      return live ? { phase, actions: [{ do: "accept-answer", sdp: input.sdp }] } : stay;
    case "offer":
      return live ? { phase, actions: [{ do: "answer-offer", sdp: input.sdp }] } : stay;
    case "connected":
      return phase.state === "starting" ? { phase: { state: "connected" }, actions: [] } : stay;
    case "relay-failed":
      return live ? fail("The voice and video connection failed or was lost.", "backoff") : stay;
    case "peer-failed":
      return live ? fail(`The voice and video connection failed (${input.reason}).`, "backoff") : stay;
    case "stalled":
      return phase.state === "starting" ? fail("The media relay did not answer in time.", "backoff") : stay;
    case "error":
      if (!live) return stay;
      if (input.code === "media-off") {
        // The server never counted us in: nothing to leave, and nothing to retry.
        const problem = "This server does not relay voice or video.";
        return { phase: { state: "failed", attempt: 0, problem, retryInMs: null }, actions: [{ do: "close" }] };
      }
      return fail(explain(input.code, input.message), retryAfterError(input.code));
    case "retry":
      if (phase.state !== "failed" || phase.retryInMs === null) return stay;
      return { phase: { state: "starting", attempt: phase.attempt + 1 }, actions: [{ do: "open" }] };
    case "rejoined":
      if (phase.state === "idle" || (phase.state === "failed" && phase.retryInMs === null)) return stay;
      return { phase: { state: "starting", attempt: 0 }, actions: [{ do: "cancel-retry" }, { do: "open" }] };
  }
}

/** The server's error messages are plain, but lower case and terse. */
function explain(code: string, message: string): string {
  const sentence = message.charAt(0).toUpperCase() + message.slice(1) + (/[.!?]$/.test(message) ? "" : ".");
  return code === "bad-sdp" || code === "too-many-tracks"
    ? `The media relay refused this browser: ${message}.`
    : sentence;
}

type Retry = "backoff" | "never" | { atLeastMs: number };

function retryAfterError(code: string): Retry {
  switch (code) {
    case "bad-sdp":
    case "too-many-tracks":
      // The same offer would be refused again.
      return "never";
    case "media-full":
      return { atLeastMs: FULL_RETRY_MS };
    default:
      // media-not-started, unavailable: the server lost our session; start over.
      return "backoff";
  }
}

/**
 * Every failure closes the peer connection and tells the server we left, so that a retry
 * is a first offer again rather than a renegotiation of a session the relay dropped.
 */
function failWith(phase: MediaPhase, problem: string, retry: Retry, random: () => number): Step {
  // A connection that was up starts the backoff over.
  const attempt = phase.state === "starting" || phase.state === "failed" ? phase.attempt : 0;
  const actions: MediaAction[] = [{ do: "close" }, { do: "send-leave" }];
  if (retry === "never") return { phase: { state: "failed", attempt, problem, retryInMs: null }, actions };
  const backoff = backoffDelay(attempt, random);
  const ms = retry === "backoff" ? backoff : Math.max(retry.atLeastMs, backoff);
  actions.push({ do: "retry-in", ms });
  return { phase: { state: "failed", attempt, problem, retryInMs: ms }, actions };
}
