import { describe, expect, it } from "vitest";
import { parseSlotStream, SlotMap, slotStreamId } from "./slots";

describe("parseSlotStream", () => {
  it("reads the relay's slot stream ids", () => {
    expect(parseSlotStream("camera-3")).toEqual({ kind: "camera", index: 3 });
    expect(parseSlotStream("audio-0")).toEqual({ kind: "audio", index: 0 });
    expect(parseSlotStream("screen-12")).toEqual({ kind: "screen", index: 12 });
    expect(slotStreamId({ kind: "camera", index: 3 })).toBe("camera-3");
  });

  it("refuses anything else", () => {
    for (const id of ["camera", "camera-", "camera-x", "video-1", "Camera-1", " camera-1", "camera-1a", "{uuid}"]) {
      expect(parseSlotStream(id), id).toBeNull();
    }
  });
});

describe("SlotMap", () => {
  const streams = (map: SlotMap<string>) => {
    for (const id of ["audio-0", "audio-1", "camera-0", "camera-1", "screen-0"]) map.addStream(id, `stream:${id}`);
  };

  it("maps each person to the slot streams that carry them", () => {
    const map = new SlotMap<string>();
    streams(map);
    map.bind({ audio: ["bob", "carol"], camera: ["carol", "bob"], screen: [null] });
    expect(map.streamsOf("bob")).toEqual({ audio: "stream:audio-0", camera: "stream:camera-1" });
    expect(map.streamsOf("carol")).toEqual({ audio: "stream:audio-1", camera: "stream:camera-0" });
    expect(map.streamsOf("dave")).toEqual({});
    expect(map.userOf("camera-1")).toBe("bob");
    expect(map.userOf("screen-0")).toBeNull();
  });

  it("follows a rebinding as people walk, with the same streams", () => {
    const map = new SlotMap<string>();
    streams(map);
    map.bind({ audio: ["bob", null], camera: ["bob", null], screen: [null] });
    expect(map.bind({ audio: [null, "carol"], camera: ["carol", null], screen: ["carol"] })).toBe(true);
    expect(map.streamsOf("bob")).toEqual({});
    expect(map.streamsOf("carol")).toEqual({
      audio: "stream:audio-1",
      camera: "stream:camera-0",
      screen: "stream:screen-0",
    });
    expect(map.screens()).toEqual([{ userId: "carol", stream: "stream:screen-0" }]);
    expect(map.bind({ audio: [null, "carol"], camera: ["carol", null], screen: ["carol"] })).toBe(false);
  });

  it("knows a binding before its stream has arrived", () => {
    const map = new SlotMap<string>();
    map.bind({ audio: [], camera: [], screen: ["bob"] });
    expect(map.streamsOf("bob")).toEqual({});
    expect(map.screens()).toEqual([{ userId: "bob", stream: undefined }]);
    map.addStream("screen-0", "s");
    expect(map.streamsOf("bob")).toEqual({ screen: "s" });
  });

  it("keeps only the relay's slot streams", () => {
    const map = new SlotMap<string>();
    expect(map.addStream("camera-0", "a")).toBe(true);
    expect(map.addStream("something-else", "b")).toBe(false);
    expect([...map.allStreams().keys()]).toEqual(["camera-0"]);
  });

  it("forgets the streams of an old connection but not the bindings, and clears both", () => {
    const map = new SlotMap<string>();
    streams(map);
    map.bind({ audio: ["bob"], camera: [], screen: [] });
    map.forgetStreams();
    expect(map.streamsOf("bob")).toEqual({});
    expect(map.userOf("audio-0")).toBe("bob");
    map.clear();
    expect(map.userOf("audio-0")).toBeNull();
    expect(map.snapshot()).toEqual({ audio: [], camera: [], screen: [] });
  });

  it("hands out copies", () => {
    const map = new SlotMap<string>();
    const slots = { audio: ["bob"], camera: [], screen: [] };
    map.bind(slots);
    slots.audio[0] = "mallory";
    map.snapshot().audio[0] = "eve";
    expect(map.userOf("audio-0")).toBe("bob");
  });
});
