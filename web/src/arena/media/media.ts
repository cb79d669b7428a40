// The arena's voice and video, wired together: capture, the session with the relay, the
// slot map, the tiles and the controls. Frames come in from the space's connection and
// signalling goes out through it; who we are connected to is the server's decision.

import { api } from "../../api";
import type { ClientFrame, MediaSending } from "../../generated/wire";
import { LocalMedia, type CaptureKind } from "./capture";
import { MediaControls, mediaStatus } from "./controls";
import { isMediaError, type MediaFrame, type MediaSlotsBody } from "./frames";
import { LevelMeter } from "./meter";
import { MediaPeer } from "./peer";
import type { MediaPhase } from "./phase";
import { MediaSession } from "./session";
import { SlotMap } from "./slots";
import { slotCounters, userCounters, type SlotCounters, type UserCounters } from "./stats";
import { VideoTiles, type ScreenView, type TileView } from "./tiles";

/** Tiles and speaking indicators refresh this often. */
const TICK_MS = 200;
const ME = "me";
const MUTED = "A moderator turned off your microphone and camera.";

export interface ArenaMediaOptions {
  send: (frame: ClientFrame) => void;
  myId: () => string | null;
  nameOf: (userId: string) => string;
}

export class ArenaMedia {
  readonly controls: MediaControls;
  readonly tiles = new VideoTiles();
  private readonly local = new LocalMedia((kind, track) => this.trackChanged(kind, track));
  private readonly slots = new SlotMap<MediaStream>();
  private readonly session: MediaSession;
  private iceServers: RTCIceServer[] = [];
  private meter: LevelMeter | null = null;
  private peers: string[] = [];
  private speakingUsers = new Set<string>();
  private asking = false;
  private problemText: string | null = null;
  /** A moderator turned our microphone and camera off, and we have turned nothing on since. */
  private muted = false;
  /** Our own tracks wrapped as streams, one per track, so a redraw does not restart a video. */
  private readonly previews = new WeakMap<MediaStreamTrack, MediaStream>();
  private readonly ticker: ReturnType<typeof setInterval>;
  private disposed = false;

  constructor(private readonly options: ArenaMediaOptions) {
    this.controls = new MediaControls({
      join: () => void this.join(),
      leave: () => this.leave(),
      toggleMic: () => this.toggleMic(),
      toggleCamera: () => void this.guard(this.local.setCamera(!this.local.camera)),
      toggleScreen: () => void this.toggleScreen(),
      chooseMicrophone: (id) => void this.guard(this.local.useMicrophone(id)),
      chooseCamera: (id) => void this.guard(this.local.useCamera(id)),
    });
    this.session = new MediaSession({
      send: options.send,
      createPeer: (failed) => this.createPeer(failed),
      sending: () => this.sending(),
      changed: (phase) => this.phaseChanged(phase),
    });
    this.ticker = setInterval(() => this.render(), TICK_MS);
    api.media().then(
      (config) => {
        this.iceServers = config.iceServers;
        this.controls.setAvailable(config.enabled);
        this.refresh();
      },
      // A server from before media, or one that cannot be reached: no media controls.
      () => this.controls.setAvailable(false),
    );
  }

  frame(frame: MediaFrame) {
    switch (frame.type) {
      case "media-peers":
        this.peers = frame.payload.peers;
        return this.refresh();
      case "media-slots":
        if (this.slots.bind(frame.payload)) this.streamsChanged();
        return;
      default:
        return this.session.frame(frame);
    }
  }

  /** Takes an `error` frame if it is about media; false for the arena's own. */
  error(code: string, message: string): boolean {
    if (!isMediaError(code)) return false;
    this.session.input({ kind: "error", code, message });
    return true;
  }

  /**
   * A moderator muted us: microphone and camera off, as if we had clicked both toggles,
   * and the panel says why. Turning them back on is up to the person.
   */
  mutedByModerator() {
    this.local.setMic(false);
    void this.local.setCamera(false).finally(() => {
      this.session.sendingChanged();
      this.muted = true;
      this.showProblem(MUTED);
      this.refresh();
    });
  }

  /** The WebSocket joined the space (again): a media session of the old socket is gone. */
  rejoined() {
    this.session.input({ kind: "rejoined" });
  }

  get state(): MediaPhase["state"] {
    return this.session.phase.state;
  }

  /** Who we are connected to, nearest first. */
  get peerIds(): string[] {
    return [...this.peers];
  }

  get slotBindings(): MediaSlotsBody {
    return this.slots.snapshot();
  }

  get sendingNow(): MediaSending {
    return this.sending();
  }

  get speaking(): string[] {
    return [...this.speakingUsers];
  }

  get problem(): string | null {
    return this.problemText;
  }

  /** What arrives from each person now, from `getStats()`. */
  async userStats(): Promise<Map<string, UserCounters>> {
    return userCounters(await this.slotStats());
  }

  /** What arrives in each slot now, including slots bound to nobody. */
  async slotStats(): Promise<Map<string, SlotCounters>> {
    const peer = this.session.current;
    if (!peer) return new Map();
    const report = await peer.stats();
    return slotCounters(report.values() as Iterable<Record<string, unknown>>, peer.streamIndex(), (id) =>
      this.slots.userOf(id),
    );
  }

  /** Ends voice and video for good: on leaving the page, or when a moderator sent us out. */
  dispose() {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.ticker);
    this.session.dispose();
    this.release();
  }

  private async join() {
    if (typeof RTCPeerConnection === "undefined") {
      this.showProblem("This browser cannot do voice and video.");
      return;
    }
    // Made inside the click, or the browser keeps it suspended. Without WebAudio there are
    // no speaking rings, and everything else works.
    if (typeof AudioContext !== "undefined") this.meter ??= new LevelMeter(new AudioContext());
    this.asking = true;
    this.showProblem(null);
    this.refresh();
    try {
      await this.local.open();
    } catch (e) {
      this.asking = false;
      this.showProblem(e instanceof Error ? e.message : String(e));
      this.refresh();
      return;
    }
    this.asking = false;
    if (this.disposed) return this.local.close();
    this.session.input({ kind: "join" });
    this.micChanged();
    void this.refreshDevices();
    navigator.mediaDevices?.addEventListener?.("devicechange", this.onDeviceChange);
    this.refresh();
  }

  private leave() {
    this.session.input({ kind: "leave" });
    this.muted = false;
    this.release();
    this.showProblem(null);
    this.refresh();
  }

  private release() {
    this.local.close();
    navigator.mediaDevices?.removeEventListener?.("devicechange", this.onDeviceChange);
    this.meter?.close();
    this.meter = null;
    this.forgetRemote();
    this.tiles.clear();
  }

  private toggleMic() {
    this.local.setMic(!this.local.micOn);
    if (this.local.micOn) this.turnedOn();
    this.session.sendingChanged();
    this.refresh();
  }

  private async toggleScreen() {
    if (this.local.screen) return this.local.stopScreen();
    await this.guard(this.local.startScreen());
  }

  private createPeer(failed: (reason: string) => void): MediaPeer {
    this.slots.forgetStreams();
    const { mic, camera, screen } = this.local;
    return new MediaPeer(
      this.iceServers,
      { audio: mic, camera, screen },
      {
        track: (streamId, stream) => {
          if (this.slots.addStream(streamId, stream)) this.streamsChanged();
        },
        failed,
      },
    );
  }

  /** A capture track started or stopped (by a toggle, a device switch, or the browser). */
  private trackChanged(kind: CaptureKind, track: MediaStreamTrack | null) {
    // A new microphone keeps muted or not as it was; a camera or screen coming on is news.
    if (track && kind !== "audio") this.turnedOn();
    this.session.current?.replace(kind, track).catch((e) => this.showProblem(`Could not switch: ${String(e)}`));
    this.session.sendingChanged();
    if (kind === "audio") this.micChanged();
    this.refresh();
  }

  /** The person turned something on: a moderator's muting is old news now. */
  private turnedOn() {
    if (!this.muted) return;
    this.muted = false;
    if (this.problemText === MUTED) this.showProblem(null);
  }

  private micChanged() {
    if (!this.meter) return;
    const mic = this.preview(this.local.mic);
    if (mic) this.meter.watch(ME, mic);
    else this.meter.unwatch(ME);
  }

  private streamsChanged() {
    for (const [streamId, stream] of this.slots.allStreams()) {
      if (streamId.startsWith("audio-")) this.meter?.watch(streamId, stream);
    }
    this.tiles.playAudio(this.slots.allStreams());
    this.render();
  }

  private phaseChanged(phase: MediaPhase) {
    if (phase.state === "failed") {
      // The relay forwards nothing to a failed session; what we showed is stale.
      this.forgetRemote();
      this.showProblem(phase.problem);
    }
    if (phase.state === "connected") this.showProblem(null);
    this.refresh();
  }

  private forgetRemote() {
    this.peers = [];
    this.slots.clear();
    this.tiles.playAudio(this.slots.allStreams());
    this.meter?.retain((key) => key === ME);
  }

  private sending(): MediaSending {
    return { audio: this.local.micOn, camera: !!this.local.camera, screen: !!this.local.screen };
  }

  private readonly onDeviceChange = () => void this.refreshDevices();

  private async refreshDevices() {
    try {
      this.controls.showDevices(await this.local.devices(), this.local.micDevice, this.local.cameraDevice);
    } catch {
      // The pickers are a convenience; the devices in use keep working.
    }
  }

  /** Runs a toggle or switch, showing why it failed. */
  private async guard(work: Promise<unknown>) {
    try {
      await work;
      this.showProblem(null);
    } catch (e) {
      this.showProblem(e instanceof Error ? e.message : String(e));
    }
    void this.refreshDevices();
    this.refresh();
  }

  private showProblem(text: string | null) {
    this.problemText = text;
    this.controls.problem(text);
  }

  /** Redraws the controls and the tiles. */
  private refresh() {
    const phase = this.session.phase;
    this.controls.show({
      joined: phase.state !== "idle",
      asking: this.asking,
      mic: this.local.mic ? this.local.micOn : null,
      camera: !!this.local.camera,
      screen: !!this.local.screen,
      status: mediaStatus(phase, this.peers.length, {
        mic: !!this.local.mic,
        camera: !!this.local.camera,
        mutedByModerator: this.muted,
      }),
    });
    this.render();
  }

  private render() {
    const now = performance.now();
    const phase = this.session.phase;
    const myId = this.options.myId() ?? ME;
    const loud = this.meter?.speaking(now) ?? new Set<string>();
    this.speakingUsers = new Set(
      [...loud].flatMap((key) => {
        const user = key === ME ? myId : this.slots.userOf(key);
        return user ? [user] : [];
      }),
    );
    if (phase.state === "idle") {
      this.tiles.render([], null, now);
      return;
    }
    const views: TileView[] = [
      {
        userId: myId,
        name: this.options.nameOf(myId),
        video: this.preview(this.local.camera),
        speaking: this.speakingUsers.has(myId),
        me: true,
      },
      ...this.peers.map((userId) => ({
        userId,
        name: this.options.nameOf(userId),
        video: this.slots.streamsOf(userId).camera ?? null,
        speaking: this.speakingUsers.has(userId),
      })),
    ];
    this.tiles.render(views, this.screenView(), now);
  }

  /** Someone else's shared screen, else a view of our own while we share. */
  private screenView(): ScreenView | null {
    const shown = this.slots.screens().find((s) => s.stream);
    if (shown?.stream) {
      return { userId: shown.userId, name: `${this.options.nameOf(shown.userId)}'s screen`, stream: shown.stream };
    }
    const own = this.preview(this.local.screen);
    return own && { userId: this.options.myId() ?? ME, name: "Your screen, as others see it", stream: own };
  }

  private preview(track: MediaStreamTrack | null): MediaStream | null {
    if (!track) return null;
    let stream = this.previews.get(track);
    if (!stream) {
      stream = new MediaStream([track]);
      this.previews.set(track, stream);
    }
    return stream;
  }
}
