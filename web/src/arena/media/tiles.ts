// The faces and voices of the people we are connected to: a strip of video tiles (ours
// first, mirrored and silent), a larger view of a shared screen, and hidden <audio>
// elements playing the relay's audio slots. Updated in place, so videos never restart.

import { h } from "../../dom";

export interface TileView {
  userId: string;
  name: string;
  /** The stream whose video to show, or null for a placeholder with the person's initial. */
  video: MediaStream | null;
  speaking: boolean;
  me?: boolean;
}

export interface ScreenView {
  userId: string;
  name: string;
  stream: MediaStream;
}

/** A video that has shown no new frame for this long gives way to the placeholder. */
const STILL_MS = 1500;

interface Tile {
  el: HTMLElement;
  video: HTMLVideoElement;
  caption: HTMLElement;
  frames: number;
  lastFrameAt: number;
}

export class VideoTiles {
  readonly el: HTMLElement;
  private readonly strip = h("div", { class: "tiles", "data-testid": "media-tiles" });
  private readonly screenVideo = video();
  private readonly screenCaption = h("figcaption", {});
  private readonly screenBox = h(
    "figure",
    { class: "screen-share", "data-testid": "media-screen-share", hidden: true },
    this.screenVideo,
    this.screenCaption,
  );
  private readonly speakers = h("div", { class: "media-audio", hidden: true });
  private readonly tiles = new Map<string, Tile>();
  private readonly audios = new Map<string, HTMLAudioElement>();

  constructor() {
    this.el = h("div", { class: "media-stage" }, this.screenBox, this.strip, this.speakers);
  }

  render(views: TileView[], screen: ScreenView | null, now: number) {
    const wanted = new Set(views.map((v) => v.userId));
    for (const [userId, tile] of this.tiles) {
      if (!wanted.has(userId)) {
        tile.el.remove();
        this.tiles.delete(userId);
      }
    }
    views.forEach((view, i) => {
      const tile = this.tiles.get(view.userId) ?? this.addTile(view);
      setStream(tile.video, view.video);
      const live = view.video !== null && this.showsFrames(tile, now);
      tile.el.classList.toggle("live", live);
      tile.el.classList.toggle("speaking", view.speaking);
      tile.el.dataset.initial = (view.name[0] ?? "?").toUpperCase();
      const caption = view.me ? `${view.name} (you)` : view.name;
      if (tile.caption.textContent !== caption) tile.caption.textContent = caption;
      // Keeps the order (ours first, then nearest first) without moving what is in place.
      if (this.strip.children[i] !== tile.el) this.strip.insertBefore(tile.el, this.strip.children[i] ?? null);
    });
    this.screenBox.hidden = screen === null;
    setStream(this.screenVideo, screen?.stream ?? null);
    if (screen) {
      this.screenBox.dataset.user = screen.userId;
      this.screenCaption.textContent = screen.name;
    }
  }

  /** Plays every audio slot; one bound to nobody is silent. */
  playAudio(streams: ReadonlyMap<string, MediaStream>) {
    for (const [streamId, stream] of streams) {
      if (!streamId.startsWith("audio-")) continue;
      let audio = this.audios.get(streamId);
      if (!audio) {
        audio = h("audio", { autoplay: true, "data-slot": streamId });
        this.speakers.append(audio);
        this.audios.set(streamId, audio);
      }
      setStream(audio, stream);
    }
    for (const [streamId, audio] of this.audios) {
      if (!streams.has(streamId)) {
        audio.srcObject = null;
        audio.remove();
        this.audios.delete(streamId);
      }
    }
  }

  clear() {
    this.render([], null, 0);
    this.playAudio(new Map());
  }

  private addTile(view: TileView): Tile {
    const el = video();
    if (view.me) el.classList.add("mirrored");
    const caption = h("figcaption", {});
    const tile = {
      el: h("figure", { class: "tile", "data-testid": "media-tile", "data-user": view.userId }, el, caption),
      video: el,
      caption,
      frames: 0,
      lastFrameAt: -Infinity,
    };
    this.tiles.set(view.userId, tile);
    return tile;
  }

  /** Whether new frames keep coming: a slot whose sender turned the camera off shows its last one forever. */
  private showsFrames(tile: Tile, now: number): boolean {
    const frames = tile.video.getVideoPlaybackQuality?.().totalVideoFrames ?? 0;
    if (frames !== tile.frames) {
      tile.frames = frames;
      tile.lastFrameAt = now;
    }
    return now - tile.lastFrameAt < STILL_MS;
  }
}

function video(): HTMLVideoElement {
  // Muted: sound comes from the audio slots, and muted video may autoplay anywhere.
  const el = h("video", { autoplay: true, playsinline: true });
  el.muted = true;
  return el;
}

function setStream(el: HTMLMediaElement, stream: MediaStream | null) {
  if (el.srcObject === stream) return;
  el.srcObject = stream;
  if (stream) el.play().catch(() => {});
}
