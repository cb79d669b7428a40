import { describe, expect, it } from "vitest";
import { StepPacer, directionForKey } from "./input";
import { colorForId } from "./colors";

describe("keyboard", () => {
  it("maps arrows and WASD to directions", () => {
    expect(["ArrowUp", "w", "S", "a", "ArrowRight"].map(directionForKey)).toEqual([
      "up",
      "up",
      "down",
      "left",
      "right",
    ]);
    expect(directionForKey("q")).toBeNull();
  });

  it("paces held keys to one step per interval", () => {
    const pacer = new StepPacer(100);
    expect([0, 50, 99, 100, 150, 201].map((t) => pacer.tryStep(t))).toEqual([true, false, false, true, false, true]);
  });
});

describe("colorForId", () => {
  it("is stable per id and differs between ids", () => {
    expect(colorForId("alice")).toBe(colorForId("alice"));
    expect(colorForId("alice")).not.toBe(colorForId("bob"));
    expect(colorForId("x")).toBeLessThanOrEqual(0xffffff);
  });
});
