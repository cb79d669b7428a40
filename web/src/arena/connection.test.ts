import { describe, expect, it } from "vitest";
import { backoffDelay } from "./connection";
import { connect } from "./fakesocket";
import { CloseReason, type ServerFrame } from "../generated/wire";

describe("backoffDelay", () => {
  it("doubles from half a second and caps at ten", () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, mid))).toEqual([
      500, 1000, 2000, 4000, 8000, 10000, 10000,
    ]);
  });

  it("jitters within a fifth either way", () => {
    expect(backoffDelay(1, () => 0)).toBe(800);
    expect(backoffDelay(1, () => 1)).toBe(1200);
  });
});

const joinedFrame: ServerFrame = { type: "space-joined", payload: { spawn: { x: 0, y: 0 }, userId: "me", users: [] } };

describe("SpaceConnection", () => {
  it("joins as soon as the socket opens and reports open on space-joined", () => {
    const { sockets, states } = connect();
    sockets[0].open();
    expect(JSON.parse(sockets[0].sent[0])).toEqual({
      type: "join",
      payload: { spaceId: "space", token: "token", resumeKey: expect.any(String) as string },
    });
    sockets[0].receive(joinedFrame);
    expect(states).toEqual(["connecting", "open"]);
  });

  it("does not come back after the space is deleted or opened elsewhere", () => {
    for (const { code } of [CloseReason.REPLACED, CloseReason.SPACE_CLOSED, CloseReason.SESSION_REVOKED]) {
      const { sockets, states } = connect();
      sockets[0].open();
      sockets[0].onclose?.({ code });
      expect(states.at(-1)).toBe("stopped");
      expect(sockets.length).toBe(1);
    }
  });

  it("reconnects after the line drops", async () => {
    const { sockets, states } = connect();
    sockets[0].open();
    sockets[0].onclose?.({ code: 1006 });
    expect(states.at(-1)).toBe("reconnecting");
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(sockets.length).toBe(2);
  });

  it("sends chat with the chosen scope, each message with an id of its own", () => {
    const { connection, sockets } = connect();
    sockets[0].open();
    sockets[0].receive(joinedFrame);
    connection.chat("hello", "direct", "bob");
    connection.chat("all", "space");
    const sent = sockets[0].sent.slice(1).map((s) => JSON.parse(s) as { payload: { clientId: string } });
    expect(sent).toEqual([
      { type: "chat", payload: { text: "hello", scope: "direct", to: "bob", clientId: expect.any(String) as string } },
      { type: "chat", payload: { text: "all", scope: "space", clientId: expect.any(String) as string } },
    ]);
    expect(sent[0].payload.clientId).not.toBe(sent[1].payload.clientId);
  });

  it("stops on a join error no retry can fix", () => {
    const { sockets, states, frames } = connect();
    sockets[0].open();
    sockets[0].receive({ type: "error", payload: { code: "invalid-token", message: "bad" } });
    expect(states.at(-1)).toBe("stopped");
    expect(frames.length).toBe(1);
  });

  it("says the server is restarting when it stops, and reconnects", async () => {
    const { sockets, states, details } = connect();
    sockets[0].open();
    sockets[0].receive(joinedFrame);
    sockets[0].receive({ type: "server-shutdown", payload: {} });
    sockets[0].onclose?.({ code: CloseReason.SERVER_SHUTDOWN.code });
    expect(states.at(-1)).toBe("reconnecting");
    expect(details.at(-1)).toMatch(/^the server is restarting; retrying in \d/);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(sockets.length).toBe(2);
    sockets[1].open();
    sockets[1].receive(joinedFrame);
    expect(states.at(-1)).toBe("open");
  });

  it("passes a frame of a type it does not know on, for the world to ignore", () => {
    const { sockets, frames } = connect();
    sockets[0].open();
    expect(() => sockets[0].onmessage?.({ data: '{"type":"fireworks","payload":{}}' })).not.toThrow();
    sockets[0].onmessage?.({ data: "not json" });
    expect(frames.map((f) => f.type)).toEqual(["fireworks"]);
  });

  it("asks for a named spawn tile on arriving, not on rejoining after a drop", async () => {
    const { sockets } = connect({ spawn: "hall" });
    sockets[0].open();
    expect(JSON.parse(sockets[0].sent[0])).toEqual({
      type: "join",
      payload: { spaceId: "space", token: "token", spawn: "hall", resumeKey: expect.any(String) as string },
    });
    sockets[0].receive(joinedFrame);
    sockets[0].onclose?.({ code: 1006 });
    await new Promise((resolve) => setTimeout(resolve, 700));
    sockets[1].open();
    sockets[1].receive({ type: "error", payload: { code: "resume-failed", message: "join again" } });
    expect(JSON.parse(sockets[1].sent[1])).toEqual({
      type: "join",
      payload: { spaceId: "space", token: "token", resumeKey: expect.any(String) as string },
    });
  });

  it("stops when a password is needed, and joins again with the grant once started again", () => {
    const stored: { grant?: string } = {};
    const { connection, sockets, states } = connect({ grant: () => stored.grant });
    sockets[0].open();
    sockets[0].receive({ type: "error", payload: { code: "password-required", message: "password" } });
    expect(states.at(-1)).toBe("stopped");
    stored.grant = "signed";
    connection.start();
    sockets[1].open();
    expect(JSON.parse(sockets[1].sent[0])).toEqual({
      type: "join",
      payload: { spaceId: "space", token: "token", grant: "signed", resumeKey: expect.any(String) as string },
    });
  });

  it("does not come back after a moderator removes us", async () => {
    const { sockets, states, details, frames } = connect();
    sockets[0].open();
    sockets[0].receive(joinedFrame);
    sockets[0].receive({ type: "removed", payload: { reason: "banned" } });
    sockets[0].onclose?.({ code: 1000 });
    expect(states.at(-1)).toBe("stopped");
    expect(details.at(-1)).toBe("banned from this space");
    expect(frames.at(-1)?.type).toBe("removed");
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(sockets.length).toBe(1);
  });
});
