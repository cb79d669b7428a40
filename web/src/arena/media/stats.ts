// What is arriving, per slot and per person: `getStats()` inbound-rtp reports reduced to
// the counters that show media flows (frames decoded, audio energy), mapped through the
// slots to user ids. Pure: the report comes in as plain objects.

import { parseSlotStream, type SlotKind } from "./slots";

export interface SlotCounters {
  /** Whose media the slot carries now, or null. */
  userId: string | null;
  packetsReceived: number;
  /** Video only. */
  framesDecoded?: number;
  /** Audio only. */
  totalAudioEnergy?: number;
  audioLevel?: number;
}

export type UserCounters = Partial<Record<SlotKind, SlotCounters>>;

/** How an inbound-rtp report finds its slot: by receiver track id, else by transceiver mid. */
export interface StreamIndex {
  byTrack: ReadonlyMap<string, string>;
  byMid: ReadonlyMap<string, string>;
}

/** Counters of every slot stream in `report` (an RTCStatsReport's values), by stream id. */
export function slotCounters(
  report: Iterable<Record<string, unknown>>,
  index: StreamIndex,
  userOf: (streamId: string) => string | null,
): Map<string, SlotCounters> {
  const slots = new Map<string, SlotCounters>();
  for (const stat of report) {
    if (stat.type !== "inbound-rtp") continue;
    const streamId =
      (typeof stat.trackIdentifier === "string" ? index.byTrack.get(stat.trackIdentifier) : undefined) ??
      (typeof stat.mid === "string" ? index.byMid.get(stat.mid) : undefined);
    if (!streamId || !parseSlotStream(streamId)) continue;
    const counters: SlotCounters = { userId: userOf(streamId), packetsReceived: numberOr0(stat.packetsReceived) };
    if (stat.kind === "video") counters.framesDecoded = numberOr0(stat.framesDecoded);
    if (stat.kind === "audio") {
      counters.totalAudioEnergy = numberOr0(stat.totalAudioEnergy);
      counters.audioLevel = numberOr0(stat.audioLevel);
    }
    slots.set(streamId, counters);
  }
  return slots;
}

/** The same counters by person: a slot bound to nobody counts for nobody. */
export function userCounters(slots: ReadonlyMap<string, SlotCounters>): Map<string, UserCounters> {
  const users = new Map<string, UserCounters>();
  for (const [streamId, counters] of slots) {
    const slot = parseSlotStream(streamId);
    if (!slot || !counters.userId) continue;
    const entry = users.get(counters.userId) ?? {};
    entry[slot.kind] = counters;
    users.set(counters.userId, entry);
  }
  return users;
}

function numberOr0(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}
