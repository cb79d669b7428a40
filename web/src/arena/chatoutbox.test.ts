import { describe, expect, it } from "vitest";
import { ChatOutbox } from "./chatoutbox";
import type { ChatBody } from "../generated/wire";

const stored = (id: string, text: string, scope: ChatBody["scope"] = "space"): ChatBody => ({
  id,
  userId: "me",
  username: "me",
  text,
  scope,
  ts: 1,
});

describe("ChatOutbox", () => {
  it("keeps each message, with a client id of its own, until it is acknowledged", () => {
    const outbox = new ChatOutbox();
    const a = outbox.add("a", "space");
    const b = outbox.add("b", "direct", "bob");
    expect(a.clientId).not.toBe(b.clientId);
    expect(b).toMatchObject({ text: "b", scope: "direct", to: "bob" });
    expect(outbox.acknowledge(stored("m1", "a"))).toBe(true);
    expect(outbox.unanswered).toEqual([b]);
  });

  it("tells a repeated acknowledgement, and lets it take nothing else", () => {
    const outbox = new ChatOutbox();
    outbox.add("ok", "space");
    const second = outbox.add("ok", "space");
    outbox.acknowledge(stored("m1", "ok"));
    expect(outbox.acknowledge(stored("m1", "ok"))).toBe(false);
    expect(outbox.unanswered).toEqual([second]);
  });

  it("matches by text and scope, as the server stored them", () => {
    const outbox = new ChatOutbox();
    const near = outbox.add("hi", "nearby");
    outbox.add("  hi ", "space");
    outbox.acknowledge(stored("m1", "hi", "space"));
    expect(outbox.unanswered).toEqual([near]);
  });

  it("drops the oldest waiting when the server refuses one", () => {
    const outbox = new ChatOutbox();
    outbox.add("first", "space");
    const second = outbox.add("second", "space");
    outbox.refused();
    expect(outbox.unanswered).toEqual([second]);
  });

  it("remembers a bounded number of acknowledged ids", () => {
    const outbox = new ChatOutbox();
    for (let i = 0; i < 300; i++) outbox.acknowledge(stored(`m${i}`, "x"));
    expect(outbox.acknowledge(stored("m299", "x"))).toBe(false);
    // Long forgotten: taken for news, which at worst shows a message twice.
    expect(outbox.acknowledge(stored("m0", "x"))).toBe(true);
  });
});
