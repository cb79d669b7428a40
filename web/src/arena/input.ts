// Keyboard to steps: arrows and WASD, one tile per step, paced so that holding a key walks
// at a steady speed instead of the keyboard's repeat rate.

import type { Direction } from "./world";

const KEYS: Record<string, Direction> = {
  ArrowUp: "up",
  ArrowDown: "down",
  ArrowLeft: "left",
  ArrowRight: "right",
  w: "up",
  s: "down",
  a: "left",
  d: "right",
  W: "up",
  S: "down",
  A: "left",
  D: "right",
};

export function directionForKey(key: string): Direction | null {
  return KEYS[key] ?? null;
}

/** Allows one step per `intervalMs`. */
export class StepPacer {
  private last = -Infinity;

  constructor(private readonly intervalMs = 120) {}

  tryStep(now: number): boolean {
    if (now - this.last < this.intervalMs) return false;
    this.last = now;
    return true;
  }
}
