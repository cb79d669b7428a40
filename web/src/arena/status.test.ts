import { describe, expect, it } from "vitest";
import { clampStatusText, statusLine } from "./status";

describe("status labels", () => {
  it("say nothing for plain available", () => {
    expect(statusLine(undefined)).toBe("");
    expect(statusLine({ status: "available", text: "  " })).toBe("");
  });

  it("name the status, then any text", () => {
    expect(statusLine({ status: "busy", text: "" })).toBe("Busy");
    expect(statusLine({ status: "busy", text: "in a call" })).toBe("Busy · in a call");
    expect(statusLine({ status: "do-not-disturb", text: "focus" })).toBe("Do not disturb · focus");
    expect(statusLine({ status: "available", text: "ask me" })).toBe("ask me");
  });

  it("cut a typed text to 64 characters", () => {
    expect(clampStatusText(" hi ")).toBe("hi");
    expect([...clampStatusText("é".repeat(70))]).toHaveLength(64);
    expect(clampStatusText("🙂".repeat(70))).toBe("🙂".repeat(64));
  });
});
