import { describe, expect, it } from "vitest";
import { KnockQueue } from "./knocks";

describe("KnockQueue", () => {
  it("keeps knocks oldest first, one per person", () => {
    const queue = new KnockQueue();
    queue.add({ userId: "bob", area: "Booth" });
    queue.add({ userId: "carol", area: "Booth" });
    queue.add({ userId: "bob", area: "Den" });
    expect(queue.list).toEqual([
      { userId: "bob", area: "Den" },
      { userId: "carol", area: "Booth" },
    ]);
    expect(queue.has("carol")).toBe(true);
  });

  it("drops a knock and says whether there was one", () => {
    const queue = new KnockQueue();
    queue.add({ userId: "bob", area: "Booth" });
    expect(queue.drop("carol")).toBe(false);
    expect(queue.drop("bob")).toBe(true);
    expect(queue.size).toBe(0);
  });

  it("keeps only what it is told to, and hands out copies", () => {
    const queue = new KnockQueue();
    queue.add({ userId: "bob", area: "Booth" });
    queue.add({ userId: "carol", area: "Den" });
    queue.list[0].area = "changed";
    expect(queue.keepOnly((k) => k.area === "Booth")).toBe(true);
    expect(queue.keepOnly((k) => k.area === "Booth")).toBe(false);
    expect(queue.list).toEqual([{ userId: "bob", area: "Booth" }]);
    queue.clear();
    expect(queue.list).toEqual([]);
  });
});
