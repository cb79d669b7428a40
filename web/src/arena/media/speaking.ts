// Who is speaking, from audio levels: the loudness of a block of samples, and a detector
// with two thresholds and a hold time, so a tile does not flicker between words. Pure.

/** Root mean square of samples in -1..1: about 0.01 for a quiet room, 0.1 and up for speech. */
export function loudness(samples: ArrayLike<number>): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / samples.length);
}

export class SpeakingDetector {
  private speaking = false;
  private lastLoud = -Infinity;

  constructor(
    /** Louder than this starts speaking... */
    private readonly startAbove = 0.04,
    /** ...and only quieter than this, for `holdMs`, stops it. */
    private readonly stopBelow = 0.02,
    private readonly holdMs = 500,
  ) {}

  /** Feeds one level measured at `now` (ms); says whether this is speech now. */
  update(level: number, now: number): boolean {
    if (level > this.startAbove || (this.speaking && level >= this.stopBelow)) this.lastLoud = now;
    if (level > this.startAbove) this.speaking = true;
    else if (this.speaking && now - this.lastLoud > this.holdMs) this.speaking = false;
    return this.speaking;
  }
}
