// Our own microphone, camera and screen: asking the browser for them, switching devices,
// turning each on and off. What we capture is handed to the peer connection by the caller.

/** Modest video: the relay forwards it to everyone nearby, and tiles are small. */
const CAMERA: MediaTrackConstraints = {
  width: { ideal: 640 },
  height: { ideal: 360 },
  frameRate: { ideal: 20, max: 24 },
};
const MICROPHONE: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
const SCREEN: MediaTrackConstraints = {
  frameRate: { ideal: 10, max: 15 },
  width: { max: 1920 },
  height: { max: 1080 },
};

export type CaptureKind = "audio" | "camera" | "screen";

export interface Devices {
  microphones: { id: string; label: string }[];
  cameras: { id: string; label: string }[];
}

export class LocalMedia {
  mic: MediaStreamTrack | null = null;
  camera: MediaStreamTrack | null = null;
  screen: MediaStreamTrack | null = null;
  micDevice: string | null = null;
  cameraDevice: string | null = null;

  /**
   * @param changed told of every track that starts or stops, so the caller can put it in
   * (or take it out of) the peer connection; also when the browser ends one by itself.
   */
  constructor(private readonly changed: (kind: CaptureKind, track: MediaStreamTrack | null) => void) {}

  /**
   * Asks for the microphone and the camera, settling for either alone. Throws, with a
   * message for people, when neither can be had.
   */
  async open(): Promise<void> {
    const devices = navigator.mediaDevices;
    if (!devices?.getUserMedia) {
      throw new Error("Voice and video need a secure page (https, or localhost) in a browser that supports them.");
    }
    let firstError: unknown = null;
    for (const want of [{ audio: true, video: true }, { audio: true }, { video: true }]) {
      try {
        // The devices picked last time, if they are still there.
        const stream = await devices.getUserMedia({
          audio: want.audio ? withDevice(MICROPHONE, this.micDevice, "ideal") : false,
          video: "video" in want ? withDevice(CAMERA, this.cameraDevice, "ideal") : false,
        });
        this.mic = stream.getAudioTracks()[0] ?? null;
        this.camera = stream.getVideoTracks()[0] ?? null;
        this.micDevice = this.mic?.getSettings().deviceId ?? this.micDevice;
        this.cameraDevice = this.camera?.getSettings().deviceId ?? this.cameraDevice;
        this.watchEnd("audio", this.mic);
        this.watchEnd("camera", this.camera);
        return;
      } catch (e) {
        firstError ??= e;
      }
    }
    throw new Error(captureProblem(firstError));
  }

  get micOn(): boolean {
    return !!this.mic?.enabled && this.mic.readyState === "live";
  }

  /** Mutes by disabling the track: silence goes out at once and unmuting needs no new prompt. */
  setMic(on: boolean) {
    if (this.mic) this.mic.enabled = on;
  }

  /** Off stops the camera (its light goes out); on asks for it again. */
  async setCamera(on: boolean): Promise<void> {
    if (!on) {
      this.stop("camera");
      return;
    }
    if (this.camera) return;
    const track = await this.capture("video", this.cameraDevice);
    this.camera = track;
    this.watchEnd("camera", track);
    this.changed("camera", track);
  }

  /** Asks which screen or window to share; resolves false when the person cancels. */
  async startScreen(): Promise<boolean> {
    if (this.screen) return true;
    if (!navigator.mediaDevices?.getDisplayMedia) throw new Error("This browser cannot share the screen.");
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: SCREEN, audio: false });
    } catch (e) {
      if (e instanceof DOMException && e.name === "NotAllowedError") return false;
      throw new Error(captureProblem(e), { cause: e });
    }
    const track = stream.getVideoTracks()[0];
    if (!track) return false;
    // Tells the encoder to keep text sharp rather than motion smooth.
    track.contentHint = "detail";
    this.screen = track;
    this.watchEnd("screen", track);
    this.changed("screen", track);
    return true;
  }

  stopScreen() {
    this.stop("screen");
  }

  async devices(): Promise<Devices> {
    const all = (await navigator.mediaDevices?.enumerateDevices?.()) ?? [];
    const pick = (kind: MediaDeviceKind, fallback: string) =>
      all
        .filter((d) => d.kind === kind && d.deviceId)
        .map((d, i) => ({ id: d.deviceId, label: d.label || `${fallback} ${i + 1}` }));
    return { microphones: pick("audioinput", "Microphone"), cameras: pick("videoinput", "Camera") };
  }

  /** Switches microphones, keeping muted or not as it was. */
  async useMicrophone(deviceId: string): Promise<void> {
    const track = await this.capture("audio", deviceId);
    track.enabled = this.mic?.enabled ?? true;
    this.mic?.stop();
    this.mic = track;
    this.micDevice = deviceId;
    this.watchEnd("audio", track);
    this.changed("audio", track);
  }

  /** Switches cameras; with the camera off, only remembers the choice for when it is on. */
  async useCamera(deviceId: string): Promise<void> {
    this.cameraDevice = deviceId;
    if (!this.camera) return;
    const track = await this.capture("video", deviceId);
    this.camera.stop();
    this.camera = track;
    this.watchEnd("camera", track);
    this.changed("camera", track);
  }

  close() {
    for (const track of [this.mic, this.camera, this.screen]) track?.stop();
    this.mic = this.camera = this.screen = null;
  }

  private async capture(kind: "audio" | "video", deviceId: string | null): Promise<MediaStreamTrack> {
    const constraints = withDevice(kind === "audio" ? MICROPHONE : CAMERA, deviceId, "exact");
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ [kind]: constraints });
      return kind === "audio" ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
    } catch (e) {
      throw new Error(captureProblem(e), { cause: e });
    }
  }

  private stop(kind: CaptureKind) {
    const track = this.track(kind);
    if (!track) return;
    track.stop();
    this.setTrack(kind, null);
    this.changed(kind, null);
  }

  /** A device unplugged, or "Stop sharing" in the browser's own bar. */
  private watchEnd(kind: CaptureKind, track: MediaStreamTrack | null) {
    track?.addEventListener("ended", () => {
      if (this.track(kind) !== track) return;
      this.setTrack(kind, null);
      this.changed(kind, null);
    });
  }

  private track(kind: CaptureKind): MediaStreamTrack | null {
    return kind === "audio" ? this.mic : kind === "camera" ? this.camera : this.screen;
  }

  private setTrack(kind: CaptureKind, track: MediaStreamTrack | null) {
    if (kind === "audio") this.mic = track;
    else if (kind === "camera") this.camera = track;
    else this.screen = track;
  }
}

function withDevice(
  base: MediaTrackConstraints,
  deviceId: string | null,
  how: "ideal" | "exact",
): MediaTrackConstraints {
  return deviceId ? { ...base, deviceId: { [how]: deviceId } } : base;
}

/** What to tell people when the browser would not give us a device. */
export function captureProblem(error: unknown): string {
  const name = typeof error === "object" && error !== null && "name" in error ? String(error.name) : "";
  switch (name) {
    case "NotAllowedError":
    case "SecurityError":
      return "The browser blocked the microphone and camera. Allow them for this site (see the address bar) and join again.";
    case "NotFoundError":
    case "OverconstrainedError":
      return "No microphone or camera was found.";
    case "NotReadableError":
    case "AbortError":
      return "The microphone or camera is in use by another program, or cannot be started.";
    default:
      return "The microphone and camera could not be started.";
  }
}
