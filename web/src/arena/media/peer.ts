// One RTCPeerConnection to the relay. Our offer always carries three send-only tracks in
// the order the relay reads them (microphone, camera, screen), each possibly empty, so
// turning things on and off is a replaceTrack and never a renegotiation.

import type { CaptureKind } from "./capture";
import type { StreamIndex } from "./stats";

/** No trickle-candidate frame exists: the offer goes once its candidates are in, or after this. */
const ICE_GATHERING_MS = 2000;
const CAMERA_BITRATE = 600_000;
const SCREEN_BITRATE = 1_500_000;

export interface PeerEvents {
  /** A receive slot's track arrived; `streamId` names the slot (`camera-3`). */
  track: (streamId: string, stream: MediaStream) => void;
  /** The connection gave up (ICE or DTLS failed), or an SDP could not be applied. */
  failed: (reason: string) => void;
}

export class MediaPeer {
  private readonly pc: RTCPeerConnection;
  private readonly senders: Record<CaptureKind, RTCRtpSender>;
  /** SDP work in the order it was asked for; the relay's offer may follow its answer at once. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly byTrack = new Map<string, string>();
  private readonly byMid = new Map<string, string>();
  private closed = false;

  constructor(
    iceServers: RTCIceServer[],
    tracks: Record<CaptureKind, MediaStreamTrack | null>,
    private readonly events: PeerEvents,
  ) {
    this.pc = new RTCPeerConnection({ iceServers, bundlePolicy: "max-bundle", rtcpMuxPolicy: "require" });
    const local = new MediaStream();
    const add = (kind: CaptureKind, encodings?: RTCRtpEncodingParameters[]) =>
      this.pc.addTransceiver(tracks[kind] ?? (kind === "audio" ? "audio" : "video"), {
        direction: "sendonly",
        streams: [local],
        sendEncodings: encodings,
      });
    const audio = add("audio");
    const camera = add("camera", [{ maxBitrate: CAMERA_BITRATE, maxFramerate: 24 }]);
    const screen = add("screen", [{ maxBitrate: SCREEN_BITRATE }]);
    preferCodec(audio, "audio", "audio/opus");
    preferCodec(camera, "video", "video/VP8");
    preferCodec(screen, "video", "video/VP8");
    this.senders = { audio: audio.sender, camera: camera.sender, screen: screen.sender };

    this.pc.addEventListener("track", (event) => {
      const stream = event.streams[0];
      if (!stream) return;
      this.byTrack.set(event.track.id, stream.id);
      if (event.transceiver.mid) this.byMid.set(event.transceiver.mid, stream.id);
      this.events.track(stream.id, stream);
    });
    this.pc.addEventListener("connectionstatechange", () => {
      // "disconnected" often recovers by itself; "failed" does not.
      if (this.pc.connectionState === "failed" && !this.closed) this.events.failed("the media connection was lost");
    });
  }

  /** Our offer, with its ICE candidates in. */
  offer(): Promise<string> {
    return this.serially(async () => {
      await this.pc.setLocalDescription(await this.pc.createOffer());
      await this.gathered();
      return this.pc.localDescription!.sdp;
    });
  }

  acceptAnswer(sdp: string): Promise<void> {
    return this.serially(() => this.pc.setRemoteDescription({ type: "answer", sdp }));
  }

  /** Our answer to the relay's offer (the one that adds its receive slots). */
  answer(sdp: string): Promise<string> {
    return this.serially(async () => {
      await this.pc.setRemoteDescription({ type: "offer", sdp });
      await this.pc.setLocalDescription(await this.pc.createAnswer());
      return this.pc.localDescription!.sdp;
    });
  }

  /** Puts a track in (or takes it out of) its place in the offer; no renegotiation. */
  replace(kind: CaptureKind, track: MediaStreamTrack | null): Promise<void> {
    return this.senders[kind].replaceTrack(track);
  }

  stats(): Promise<RTCStatsReport> {
    return this.pc.getStats();
  }

  /** How stats find the slot of an inbound-rtp report. */
  streamIndex(): StreamIndex {
    return { byTrack: this.byTrack, byMid: this.byMid };
  }

  close() {
    this.closed = true;
    this.pc.close();
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => {});
    return next;
  }

  private gathered(): Promise<void> {
    return new Promise((done) => {
      if (this.pc.iceGatheringState === "complete") return done();
      const timer = setTimeout(finish, ICE_GATHERING_MS);
      const onChange = () => {
        if (this.pc.iceGatheringState === "complete") finish();
      };
      this.pc.addEventListener("icegatheringstatechange", onChange);
      const pc = this.pc;
      function finish() {
        clearTimeout(timer);
        pc.removeEventListener("icegatheringstatechange", onChange);
        done();
      }
    });
  }
}

/**
 * Puts `mimeType` first among the codecs offered. The relay takes only Opus and VP8, and
 * would pick them anyway; this keeps the choice from depending on how it reads the list.
 */
function preferCodec(transceiver: RTCRtpTransceiver, kind: "audio" | "video", mimeType: string) {
  const codecs = RTCRtpReceiver.getCapabilities?.(kind)?.codecs;
  if (!codecs || !transceiver.setCodecPreferences) return;
  const wanted = mimeType.toLowerCase();
  const first = codecs.filter((c) => c.mimeType.toLowerCase() === wanted);
  if (first.length === 0) return;
  try {
    transceiver.setCodecPreferences([...first, ...codecs.filter((c) => c.mimeType.toLowerCase() !== wanted)]);
  } catch {
    // Older browsers refuse some lists; the default order still includes the codec.
  }
}
