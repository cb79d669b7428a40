// Whose media each receive slot carries. The relay negotiates a fixed set of slots once
// (streams `audio-<i>`, `camera-<i>`, `screen-<i>`) and rebinds them to people as they walk,
// without renegotiating; `media-slots` says who is in which. Pure: no DOM, no WebRTC, so
// the stream type is a parameter (a MediaStream in the browser).

import type { MediaSlotsBody } from "./frames";

export type SlotKind = "audio" | "camera" | "screen";
export const SLOT_KINDS: readonly SlotKind[] = ["audio", "camera", "screen"];

export interface Slot {
  kind: SlotKind;
  index: number;
}

/** `camera-3` → {kind: "camera", index: 3}; null for a stream that is not a relay slot. */
export function parseSlotStream(streamId: string): Slot | null {
  const match = /^(audio|camera|screen)-(\d+)$/.exec(streamId);
  if (!match) return null;
  return { kind: match[1] as SlotKind, index: Number(match[2]) };
}

export function slotStreamId(slot: Slot): string {
  return `${slot.kind}-${slot.index}`;
}

/** One person's streams as they reach us; a kind is missing when no slot carries it. */
export type UserStreams<S> = Partial<Record<SlotKind, S>>;

export class SlotMap<S> {
  private bound: MediaSlotsBody = { audio: [], camera: [], screen: [] };
  /** Slot streams by id, as `ontrack` delivered them. */
  private readonly streams = new Map<string, S>();

  /** Takes the server's word on every slot; returns whether anyone's slot changed. */
  bind(slots: MediaSlotsBody): boolean {
    const changed = SLOT_KINDS.some((kind) => !sameList(this.bound[kind], slots[kind]));
    this.bound = { audio: [...slots.audio], camera: [...slots.camera], screen: [...slots.screen] };
    return changed;
  }

  /** Keeps a slot's stream from `ontrack`; false when the stream is not one of the relay's slots. */
  addStream(streamId: string, stream: S): boolean {
    if (!parseSlotStream(streamId)) return false;
    this.streams.set(streamId, stream);
    return true;
  }

  /** A new peer connection brings new streams: the old ones carry nothing any more. */
  forgetStreams() {
    this.streams.clear();
  }

  clear() {
    this.bound = { audio: [], camera: [], screen: [] };
    this.streams.clear();
  }

  /** Who the slot of `streamId` carries now, or null (unbound, or not a slot). */
  userOf(streamId: string): string | null {
    const slot = parseSlotStream(streamId);
    return slot ? (this.bound[slot.kind][slot.index] ?? null) : null;
  }

  /** The slot streams carrying `userId`'s media. */
  streamsOf(userId: string): UserStreams<S> {
    const found: UserStreams<S> = {};
    for (const kind of SLOT_KINDS) {
      const index = this.bound[kind].indexOf(userId);
      const stream = index < 0 ? undefined : this.streams.get(slotStreamId({ kind, index }));
      if (stream !== undefined) found[kind] = stream;
    }
    return found;
  }

  /** Whose screen we are shown, with its stream once it has arrived. */
  screens(): { userId: string; stream: S | undefined }[] {
    return this.bound.screen.flatMap((userId, index) =>
      userId ? [{ userId, stream: this.streams.get(slotStreamId({ kind: "screen", index })) }] : [],
    );
  }

  /** Every slot stream that has arrived, by id. */
  allStreams(): ReadonlyMap<string, S> {
    return this.streams;
  }

  /** A copy of the bindings, for the test hook. */
  snapshot(): MediaSlotsBody {
    return { audio: [...this.bound.audio], camera: [...this.bound.camera], screen: [...this.bound.screen] };
  }
}

function sameList(a: (string | null)[], b: (string | null)[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
