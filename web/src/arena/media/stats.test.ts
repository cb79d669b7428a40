import { describe, expect, it } from "vitest";
import { slotCounters, userCounters } from "./stats";

const index = {
  byTrack: new Map([
    ["t-audio-0", "audio-0"],
    ["t-camera-0", "camera-0"],
    ["t-camera-1", "camera-1"],
  ]),
  byMid: new Map([["7", "screen-0"]]),
};
const bound: Record<string, string | null> = {
  "audio-0": "bob",
  "camera-0": "bob",
  "camera-1": null,
  "screen-0": "carol",
};
const userOf = (id: string) => bound[id] ?? null;

const report = [
  {
    type: "inbound-rtp",
    kind: "audio",
    trackIdentifier: "t-audio-0",
    packetsReceived: 50,
    totalAudioEnergy: 0.4,
    audioLevel: 0.2,
  },
  { type: "inbound-rtp", kind: "video", trackIdentifier: "t-camera-0", packetsReceived: 90, framesDecoded: 30 },
  { type: "inbound-rtp", kind: "video", trackIdentifier: "t-camera-1", packetsReceived: 0 },
  // No track id (older browsers): found by its transceiver's mid.
  { type: "inbound-rtp", kind: "video", mid: "7", packetsReceived: 10, framesDecoded: 4 },
  // Our own sending, and a stream that is not a slot.
  { type: "outbound-rtp", kind: "video", mid: "1", framesEncoded: 100 },
  { type: "inbound-rtp", kind: "video", trackIdentifier: "unknown", framesDecoded: 5 },
  { type: "candidate-pair", state: "succeeded" },
];

describe("slotCounters", () => {
  it("reduces inbound-rtp reports to counters per slot, with whom the slot carries", () => {
    const slots = slotCounters(report, index, userOf);
    expect(Object.fromEntries(slots)).toEqual({
      "audio-0": { userId: "bob", packetsReceived: 50, totalAudioEnergy: 0.4, audioLevel: 0.2 },
      "camera-0": { userId: "bob", packetsReceived: 90, framesDecoded: 30 },
      "camera-1": { userId: null, packetsReceived: 0, framesDecoded: 0 },
      "screen-0": { userId: "carol", packetsReceived: 10, framesDecoded: 4 },
    });
  });
});

describe("userCounters", () => {
  it("groups slots by person and leaves unbound slots out", () => {
    const users = userCounters(slotCounters(report, index, userOf));
    expect([...users.keys()].sort()).toEqual(["bob", "carol"]);
    expect(users.get("bob")?.camera?.framesDecoded).toBe(30);
    expect(users.get("bob")?.audio?.totalAudioEnergy).toBe(0.4);
    expect(users.get("carol")).toEqual({ screen: { userId: "carol", packetsReceived: 10, framesDecoded: 4 } });
  });
});
