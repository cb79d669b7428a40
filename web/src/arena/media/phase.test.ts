import { describe, expect, it } from "vitest";
import { advance, type MediaInput, type MediaPhase } from "./phase";

const mid = () => 0.5;
const problemOf = (phase: MediaPhase) => (phase.state === "failed" ? phase.problem : null);

/** Runs inputs from idle; returns every phase reached and every action asked for. */
function run(...inputs: MediaInput[]) {
  let phase: MediaPhase = { state: "idle" };
  const states: string[] = [];
  const actions: string[] = [];
  for (const input of inputs) {
    const step = advance(phase, input, mid);
    phase = step.phase;
    states.push(phase.state);
    actions.push(...step.actions.map((a) => a.do));
  }
  return { phase, states, actions };
}

const answer: MediaInput = { kind: "answer", sdp: "v=0 answer" };
const offer: MediaInput = { kind: "offer", sdp: "v=0 offer" };

describe("the media phase", () => {
  it("goes from a click to connected through the relay's answer and its offer of slots", () => {
    const { phase, states, actions } = run({ kind: "join" }, answer, offer, { kind: "connected" });
    expect(states).toEqual(["starting", "starting", "starting", "connected"]);
    expect(actions).toEqual(["open", "accept-answer", "answer-offer"]);
    expect(phase).toEqual({ state: "connected" });
  });

  it("hands the relay's SDP to the peer as it came", () => {
    const started = advance({ state: "idle" }, { kind: "join" }).phase;
    expect(advance(started, offer).actions).toEqual([{ do: "answer-offer", sdp: "v=0 offer" }]);
    expect(advance(started, answer).actions).toEqual([{ do: "accept-answer", sdp: "v=0 answer" }]);
  });

  it("starts over with a fresh offer after media-failed, backing off", () => {
    const failed = run({ kind: "join" }, answer, { kind: "connected" }, { kind: "relay-failed", reason: "lost" });
    expect(failed.phase).toMatchObject({ state: "failed", attempt: 0, retryInMs: 500 });
    expect(failed.actions.slice(-3)).toEqual(["close", "send-leave", "retry-in"]);

    const again = run(
      { kind: "join" },
      { kind: "relay-failed", reason: "lost" },
      { kind: "retry" },
      { kind: "relay-failed", reason: "lost" },
    );
    // The second failure in a row waits twice as long.
    expect(again.phase).toMatchObject({ state: "failed", attempt: 1, retryInMs: 1000 });
    expect(again.states).toEqual(["starting", "failed", "starting", "failed"]);
    expect(again.actions.filter((a) => a === "open")).toHaveLength(2);
  });

  it("a connection that was up starts the backoff from the beginning", () => {
    const { phase } = run(
      { kind: "join" },
      { kind: "peer-failed", reason: "ice" },
      { kind: "retry" },
      { kind: "peer-failed", reason: "ice" },
      { kind: "retry" },
      { kind: "connected" },
      { kind: "peer-failed", reason: "ice" },
    );
    expect(phase).toMatchObject({ state: "failed", attempt: 0, retryInMs: 500 });
  });

  it("gives up on a server without a relay, and on an SDP it refused", () => {
    const off = run({ kind: "join" }, { kind: "error", code: "media-off", message: "no relay" });
    expect(off.phase).toMatchObject({ state: "failed", retryInMs: null });
    expect(problemOf(off.phase)).toMatch(/does not relay/);
    expect(off.actions).toEqual(["open", "close"]);
    expect(advance(off.phase, { kind: "retry" }).phase).toBe(off.phase);

    const refused = run({ kind: "join" }, { kind: "error", code: "too-many-tracks", message: "4 tracks" });
    expect(refused.phase).toMatchObject({ state: "failed", retryInMs: null });
    expect(refused.actions).toEqual(["open", "close", "send-leave"]);
  });

  it("asks a full relay again later, not at once", () => {
    const { phase } = run({ kind: "join" }, { kind: "error", code: "media-full", message: "this space already has 2" });
    expect(phase).toMatchObject({ state: "failed", retryInMs: 15_000, problem: "This space already has 2." });
  });

  it("a session the server lost is started again", () => {
    const { phase, actions } = run({ kind: "join" }, answer, {
      kind: "error",
      code: "media-not-started",
      message: "send a media-offer first",
    });
    expect(phase).toMatchObject({ state: "failed", retryInMs: 500 });
    expect(actions).toContain("retry-in");
  });

  it("a start that hears nothing back gives up and retries", () => {
    expect(run({ kind: "join" }, { kind: "stalled" }).phase).toMatchObject({ state: "failed", retryInMs: 500 });
    // Once connected, a late stall timer means nothing.
    expect(run({ kind: "join" }, { kind: "connected" }, { kind: "stalled" }).phase).toEqual({ state: "connected" });
  });

  it("leaving stops everything and tells the server, from any state", () => {
    for (const before of [[], [{ kind: "connected" }], [{ kind: "relay-failed", reason: "x" }]] as MediaInput[][]) {
      const { phase, actions } = run({ kind: "join" }, ...before, { kind: "leave" });
      expect(phase).toEqual({ state: "idle" });
      expect(actions.slice(-3)).toEqual(["cancel-retry", "close", "send-leave"]);
    }
    expect(run({ kind: "leave" }).actions).toEqual([]);
  });

  it("ignores signalling, errors and timers when idle or already failed", () => {
    const idle = run(
      answer,
      offer,
      { kind: "connected" },
      { kind: "retry" },
      { kind: "rejoined" },
      {
        kind: "error",
        code: "bad-sdp",
        message: "x",
      },
    );
    expect(idle.states.every((s) => s === "idle")).toBe(true);
    expect(idle.actions).toEqual([]);

    const failed = run({ kind: "join" }, { kind: "relay-failed", reason: "x" }, answer, offer, { kind: "connected" });
    expect(failed.phase.state).toBe("failed");
  });

  it("a second click while starting opens nothing more", () => {
    expect(run({ kind: "join" }, { kind: "join" }).actions).toEqual(["open"]);
  });

  it("after the WebSocket rejoins the space, media starts over at once", () => {
    const connected = run({ kind: "join" }, { kind: "connected" }, { kind: "rejoined" });
    expect(connected.phase).toEqual({ state: "starting", attempt: 0 });
    expect(connected.actions.slice(-2)).toEqual(["cancel-retry", "open"]);

    const waiting = run({ kind: "join" }, { kind: "relay-failed", reason: "x" }, { kind: "rejoined" });
    expect(waiting.phase.state).toBe("starting");
  });
});
