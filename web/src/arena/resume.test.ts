import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { NOWHERE } from "./connection";
import { connect, type FakeSocket } from "./fakesocket";
import { CloseReason, type ChatBody, type ClientFrame, type ServerFrame } from "../generated/wire";

const joined: ServerFrame = { type: "space-joined", payload: { spawn: { x: 0, y: 0 }, userId: "me", users: [] } };
const moved = (x: number): ServerFrame => ({ type: "movement", payload: { userId: "bob", x, y: 0 } });
const resumed = (replayed: number, snapshot = false): ServerFrame => ({
  type: "resumed",
  payload: { replayed, snapshot },
});
const error = (code: string): ServerFrame => ({ type: "error", payload: { code, message: code } });
const ack = (id: string, text: string, userId = "me"): ServerFrame => ({
  type: "chat",
  payload: { id, userId, username: userId, text, scope: "space", ts: 1 } satisfies ChatBody,
});

function first(socket: FakeSocket): ClientFrame {
  return socket.frames()[0];
}
function keyOf(frame: ClientFrame): string | undefined {
  if (frame.type === "join") return frame.payload.resumeKey;
  if (frame.type === "resume") return frame.payload.resumeKey;
  return undefined;
}
function chatsSent(socket: FakeSocket) {
  return socket.frames().flatMap((f) => (f.type === "chat" ? [f.payload] : []));
}

/** Drops the current socket and opens the next one, past the backoff. */
function reconnect(sockets: FakeSocket[]): FakeSocket {
  sockets.at(-1)!.drop();
  vi.advanceTimersByTime(15_000);
  const next = sockets.at(-1)!;
  next.open();
  return next;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("resuming after a drop", () => {
  it("resumes with the count of frames received, unreadable ones and errors before the join too", () => {
    const { sockets } = connect();
    sockets[0].open();
    sockets[0].receive(error("rate-limited"), joined, moved(1));
    sockets[0].onmessage?.({ data: "not json" });
    const next = reconnect(sockets);
    expect(sockets.length).toBe(2);
    expect(first(next)).toEqual({
      type: "resume",
      payload: { spaceId: "space", token: "token", resumeKey: keyOf(first(sockets[0])), lastSeq: 4 },
    });
    expect(next.sent.length).toBe(1);
  });

  it("counts on from there after `resumed`, which itself is not counted", () => {
    const { sockets, frames } = connect();
    sockets[0].open();
    sockets[0].receive(joined, moved(1), moved(2));
    const second = reconnect(sockets);
    sockets[1].receive(resumed(1), moved(2), moved(3));
    const third = reconnect(sockets);
    expect(first(second)).toMatchObject({ type: "resume", payload: { lastSeq: 3 } });
    expect(first(third)).toMatchObject({ type: "resume", payload: { lastSeq: 5 } });
    expect(keyOf(first(third))).toBe(keyOf(first(sockets[0])));
    // The frames still reach the world, `resumed` and the replayed one among them.
    expect(frames.map((f) => f.type)).toEqual([
      "space-joined",
      "movement",
      "movement",
      "resumed",
      "movement",
      "movement",
    ]);
  });

  it("asks for the same frames again when a resume's socket drops before the answer", () => {
    const { sockets } = connect();
    sockets[0].open();
    sockets[0].receive(joined, moved(1));
    reconnect(sockets);
    const third = reconnect(sockets);
    expect(first(third)).toMatchObject({ type: "resume", payload: { lastSeq: 2 } });
  });

  it("shows reconnecting while away, and open again once resumed, with no rejoin", () => {
    const { sockets, states, frames } = connect();
    sockets[0].open();
    sockets[0].receive(joined);
    sockets[0].drop();
    expect(states.at(-1)).toBe("reconnecting");
    vi.advanceTimersByTime(15_000);
    sockets[1].open();
    expect(states.at(-1)).toBe("reconnecting");
    sockets[1].receive(resumed(0));
    expect(states.at(-1)).toBe("open");
    expect(frames.filter((f) => f.type === "space-joined").length).toBe(1);
  });

  it("asks where we stand after a resume, since a step sent before the drop may be lost", () => {
    const { connection, sockets } = connect();
    sockets[0].open();
    sockets[0].receive(joined);
    connection.move({ x: 1, y: 0 });
    const next = reconnect(sockets);
    next.receive(resumed(0));
    expect(next.frames()[1]).toEqual({ type: "move", payload: NOWHERE });
  });

  it("after a fresh start, counts from the space-joined that follows, under the same key", () => {
    const { sockets, states, frames } = connect();
    sockets[0].open();
    sockets[0].receive(joined, moved(1), moved(2));
    const second = reconnect(sockets);
    second.receive(resumed(0, true));
    expect(states.at(-1)).toBe("reconnecting");
    second.receive(joined, moved(5));
    expect(states.at(-1)).toBe("open");
    expect(second.sent.length).toBe(1); // the server joined us again by itself
    const third = reconnect(sockets);
    expect(first(third)).toMatchObject({ type: "resume", payload: { lastSeq: 2 } });
    expect(keyOf(first(third))).toBe(keyOf(first(sockets[0])));
    expect(frames.filter((f) => f.type === "space-joined").length).toBe(2);
  });

  it("joins afresh on the same socket when there is nothing to resume, counting the refusal", () => {
    const { sockets, frames, states } = connect();
    sockets[0].open();
    sockets[0].receive(joined, moved(1));
    const second = reconnect(sockets);
    second.receive(error("resume-failed"));
    const join = second.frames()[1];
    expect(join.type).toBe("join");
    expect(keyOf(join)).not.toBe(keyOf(first(sockets[0])));
    // Not the arena's business: no banner for it.
    expect(frames.some((f) => f.type === "error")).toBe(false);
    second.receive(joined, moved(2));
    expect(states.at(-1)).toBe("open");
    // The server numbers a socket's frames from its start: the refusal was the first.
    const third = reconnect(sockets);
    expect(first(third)).toEqual({
      type: "resume",
      payload: { spaceId: "space", token: "token", resumeKey: keyOf(join), lastSeq: 3 },
    });
  });

  it("stops when the session was signed out meanwhile", () => {
    const { sockets, states } = connect();
    sockets[0].open();
    sockets[0].receive(joined);
    const second = reconnect(sockets);
    second.receive(error("invalid-token"));
    expect(states.at(-1)).toBe("stopped");
    vi.advanceTimersByTime(15_000);
    expect(sockets.length).toBe(2);
  });

  it("tries the resume again on another socket when the server could not do it just now", () => {
    const { sockets, frames } = connect();
    sockets[0].open();
    sockets[0].receive(joined, moved(1));
    const second = reconnect(sockets);
    second.receive(error("unavailable"));
    expect(second.closedWith).toBe(1000);
    expect(frames.some((f) => f.type === "error")).toBe(false);
    const third = reconnect(sockets);
    expect(first(third)).toMatchObject({ type: "resume", payload: { lastSeq: 2 } });
  });

  it("joins with the grant when the server's own rejoin is refused for want of it", () => {
    const { sockets, frames } = connect({ grant: () => "signed" });
    sockets[0].open();
    sockets[0].receive(joined);
    const second = reconnect(sockets);
    second.receive(resumed(0, true), error("password-required"));
    expect(second.frames()[1]).toMatchObject({ type: "join", payload: { grant: "signed" } });
    expect(frames.some((f) => f.type === "error")).toBe(false);
  });

  it("joins, not resumes, after the server restarted", () => {
    const { sockets } = connect();
    sockets[0].open();
    sockets[0].receive(joined, { type: "server-shutdown", payload: {} });
    sockets[0].onclose?.({ code: CloseReason.SERVER_SHUTDOWN.code });
    vi.advanceTimersByTime(15_000);
    sockets[1].open();
    expect(first(sockets[1]).type).toBe("join");
    expect(keyOf(first(sockets[1]))).not.toBe(keyOf(first(sockets[0])));
  });

  it("resumes after a close the server chose that ends nothing for good (here: idle)", () => {
    const { sockets } = connect();
    sockets[0].open();
    sockets[0].receive(joined);
    sockets[0].onclose?.({ code: CloseReason.IDLE_TIMEOUT.code });
    vi.advanceTimersByTime(15_000);
    sockets[1].open();
    expect(first(sockets[1]).type).toBe("resume");
  });

  it("leaves with a close frame, and joins afresh when started again", () => {
    const { connection, sockets } = connect();
    sockets[0].open();
    sockets[0].receive(joined);
    connection.stop();
    expect(sockets[0].closedWith).toBe(1000);
    connection.start();
    sockets[1].open();
    expect(first(sockets[1]).type).toBe("join");
  });

  it("ignores a socket given up on that still talks", () => {
    const { connection, sockets, frames } = connect();
    sockets[0].open();
    sockets[0].receive(joined);
    connection.stop();
    connection.start();
    sockets[0].receive(moved(1));
    expect(frames.map((f) => f.type)).toEqual(["space-joined"]);
  });
});

describe("chat across a drop", () => {
  it("holds chat until in the space, then sends it", () => {
    const { connection, sockets } = connect();
    sockets[0].open();
    connection.chat("early", "space");
    expect(chatsSent(sockets[0])).toEqual([]);
    sockets[0].receive(joined);
    expect(chatsSent(sockets[0]).map((c) => c.text)).toEqual(["early"]);
  });

  it("sends again, with the same ids, what was not acknowledged before the drop", () => {
    const { connection, sockets } = connect();
    sockets[0].open();
    sockets[0].receive(joined);
    connection.chat("one", "space");
    connection.chat("two", "space");
    connection.chat("three", "space");
    sockets[0].receive(ack("m1", "one"));
    const before = chatsSent(sockets[0]);
    const next = reconnect(sockets);
    next.receive(resumed(0));
    expect(chatsSent(next)).toEqual(before.slice(1));
  });

  it("passes a message on once when a retry is acknowledged again", () => {
    const { connection, sockets, frames } = connect();
    sockets[0].open();
    sockets[0].receive(joined);
    connection.chat("hello", "space");
    const next = reconnect(sockets);
    // The first acknowledgement was lost in flight and comes with the replay; the retry's
    // comes after it, naming the same stored message.
    next.receive(resumed(1), ack("m1", "hello"), ack("m1", "hello"));
    expect(frames.filter((f) => f.type === "chat").length).toBe(1);
    const third = reconnect(sockets);
    third.receive(resumed(0));
    expect(chatsSent(third)).toEqual([]);
  });

  it("sends the unacknowledged again after a fresh join too", () => {
    const { connection, sockets } = connect();
    sockets[0].open();
    sockets[0].receive(joined);
    connection.chat("hello", "nearby");
    const [sent] = chatsSent(sockets[0]);
    const next = reconnect(sockets);
    next.receive(error("resume-failed"));
    expect(chatsSent(next)).toEqual([]);
    next.receive(joined);
    expect(chatsSent(next)).toEqual([sent]);
  });

  it("forgets a message the server refused, and does not mistake others' messages for ours", () => {
    const { connection, sockets } = connect();
    sockets[0].open();
    sockets[0].receive(joined);
    connection.chat("to nobody", "direct", "gone");
    connection.chat("hi", "space");
    sockets[0].receive(error("recipient-absent"), ack("b1", "hi", "bob"));
    const next = reconnect(sockets);
    next.receive(resumed(0));
    expect(chatsSent(next).map((c) => c.text)).toEqual(["hi"]);
  });

  it("matches an acknowledgement by its text, which the server trims", () => {
    const { connection, sockets } = connect();
    sockets[0].open();
    sockets[0].receive(joined);
    connection.chat(" first ", "space");
    connection.chat("second", "space");
    sockets[0].receive(ack("m2", "second"));
    const next = reconnect(sockets);
    next.receive(resumed(0));
    expect(chatsSent(next).map((c) => c.text)).toEqual([" first "]);
  });
});
