import { describe, expect, it } from "vitest";
import { loudness, SpeakingDetector } from "./speaking";

describe("loudness", () => {
  it("is the root mean square of the samples", () => {
    expect(loudness([])).toBe(0);
    expect(loudness(new Float32Array(128))).toBe(0);
    expect(loudness([0.5, -0.5, 0.5, -0.5])).toBeCloseTo(0.5);
    const sine = Float32Array.from({ length: 1000 }, (_, i) => Math.sin((i / 1000) * 2 * Math.PI * 10));
    expect(loudness(sine)).toBeCloseTo(Math.SQRT1_2, 2);
  });
});

describe("SpeakingDetector", () => {
  it("starts on a loud level and stops only after a quiet hold", () => {
    const d = new SpeakingDetector(0.04, 0.02, 500);
    expect(d.update(0.01, 0)).toBe(false);
    expect(d.update(0.1, 100)).toBe(true);
    // A dip between words, above the lower threshold, keeps it on.
    expect(d.update(0.03, 900)).toBe(true);
    expect(d.update(0.005, 1000)).toBe(true);
    expect(d.update(0.005, 1300)).toBe(true);
    expect(d.update(0.005, 1401)).toBe(false);
  });

  it("a level between the thresholds does not start speech", () => {
    const d = new SpeakingDetector(0.04, 0.02, 500);
    expect(d.update(0.03, 0)).toBe(false);
    expect(d.update(0.03, 1000)).toBe(false);
  });
});
