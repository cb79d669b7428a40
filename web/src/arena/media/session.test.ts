import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ClientFrame } from "../../generated/wire";
import type { MediaFrame } from "./frames";
import type { MediaPhase } from "./phase";
import { MediaSession, type SignallingPeer } from "./session";

/** A peer connection that answers at once, and remembers what it was given. */
class FakePeer implements SignallingPeer {
  remote: string[] = [];
  closed = false;
  constructor(
    readonly n: number,
    readonly fail: (reason: string) => void,
  ) {}
  offer = () => Promise.resolve(`offer ${this.n}`);
  acceptAnswer = (sdp: string) => {
    this.remote.push(sdp);
    return Promise.resolve();
  };
  answer = (sdp: string) => {
    this.remote.push(sdp);
    return Promise.resolve(`answer ${this.n} to ${sdp}`);
  };
  close = () => {
    this.closed = true;
  };
}

function start() {
  const sent: ClientFrame[] = [];
  const phases: MediaPhase["state"][] = [];
  const peers: FakePeer[] = [];
  const session = new MediaSession<FakePeer>({
    send: (frame) => sent.push(frame),
    createPeer: (fail) => {
      const peer = new FakePeer(peers.length, fail);
      peers.push(peer);
      return peer;
    },
    sending: () => ({ audio: true, camera: false, screen: false }),
    changed: (phase) => phases.push(phase.state),
  });
  const receive = async (frame: MediaFrame) => {
    session.frame(frame);
    await vi.advanceTimersByTimeAsync(0);
  };
  return { session, sent, phases, peers, receive };
}

const problemOf = (phase: MediaPhase) => (phase.state === "failed" ? phase.problem : null);

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("MediaSession", () => {
  it("offers, then says what it sends, answers the relay and connects", async () => {
    const { session, sent, phases, peers, receive } = start();
    session.input({ kind: "join" });
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([
      { type: "media-offer", payload: { sdp: "offer 0" } },
      { type: "media-state", payload: { audio: true, camera: false, screen: false } },
    ]);
    await receive({ type: "media-answer", payload: { sdp: "relay answer" } });
    await receive({ type: "media-connected", payload: {} });
    await receive({ type: "media-offer", payload: { sdp: "relay offer" } });
    expect(peers[0].remote).toEqual(["relay answer", "relay offer"]);
    expect(sent.at(-1)).toEqual({ type: "media-answer", payload: { sdp: "answer 0 to relay offer" } });
    expect(phases).toEqual(["starting", "connected"]);
    expect(session.phase.state).toBe("connected");
  });

  it("after media-failed, leaves and comes back with a fresh peer connection", async () => {
    const { session, sent, phases, peers, receive } = start();
    session.input({ kind: "join" });
    await receive({ type: "media-connected", payload: {} });
    await receive({ type: "media-failed", payload: { reason: "lost" } });
    expect(peers[0].closed).toBe(true);
    expect(sent.at(-1)).toEqual({ type: "media-leave", payload: {} });
    expect(session.current).toBeNull();
    await vi.advanceTimersByTimeAsync(1300);
    expect(peers).toHaveLength(2);
    expect(sent.at(-2)).toEqual({ type: "media-offer", payload: { sdp: "offer 1" } });
    expect(phases).toEqual(["starting", "connected", "failed", "starting"]);
  });

  it("a peer that gives up by itself counts, one from an earlier attempt does not", async () => {
    const { session, peers, receive } = start();
    session.input({ kind: "join" });
    await receive({ type: "media-failed", payload: { reason: "lost" } });
    await vi.advanceTimersByTimeAsync(1300);
    peers[0].fail("stale");
    expect(session.phase.state).toBe("starting");
    peers[1].fail("ice failed");
    expect(problemOf(session.phase)).toContain("ice failed");
  });

  it("an answer from the relay for an old peer connection is not applied to the new one", async () => {
    const { session, sent, peers } = start();
    session.input({ kind: "join" });
    session.input({ kind: "rejoined" });
    await vi.advanceTimersByTimeAsync(0);
    expect(peers[0].closed).toBe(true);
    // Only the new peer's offer went out.
    expect(sent.filter((f) => f.type === "media-offer")).toEqual([
      { type: "media-offer", payload: { sdp: "offer 1" } },
    ]);
  });

  it("gives up waiting for a relay that never answers, and tries again", async () => {
    const { session, peers } = start();
    session.input({ kind: "join" });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(session.phase.state).toBe("failed");
    await vi.advanceTimersByTimeAsync(1300);
    expect(session.phase.state).toBe("starting");
    expect(peers).toHaveLength(2);
  });

  it("says what it sends only once the server has its offer", async () => {
    const { session, sent } = start();
    session.sendingChanged();
    expect(sent).toEqual([]);
    session.input({ kind: "join" });
    session.sendingChanged();
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(0);
    session.sendingChanged();
    expect(sent.map((f) => f.type)).toEqual(["media-offer", "media-state", "media-state"]);
  });

  it("leaving closes the peer, cancels a pending retry and tells the server", async () => {
    const { session, sent, peers, receive } = start();
    session.input({ kind: "join" });
    await receive({ type: "media-failed", payload: { reason: "lost" } });
    session.input({ kind: "leave" });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(peers).toHaveLength(1);
    expect(sent.at(-1)).toEqual({ type: "media-leave", payload: {} });
    expect(session.phase.state).toBe("idle");
  });

  it("a peer connection that cannot be made is a failure, not an exception", () => {
    const sent: ClientFrame[] = [];
    const session = new MediaSession({
      send: (frame) => sent.push(frame),
      createPeer: () => {
        throw new Error("no WebRTC");
      },
      sending: () => ({ audio: false, camera: false, screen: false }),
      changed: () => {},
    });
    expect(() => session.input({ kind: "join" })).not.toThrow();
    expect(problemOf(session.phase)).toContain("no WebRTC");
  });
});
