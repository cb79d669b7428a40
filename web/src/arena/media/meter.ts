// Audio levels of live streams through WebAudio: one AnalyserNode per stream, read on
// demand. Nothing is connected to the speakers; the <audio> elements play the sound.

import { loudness, SpeakingDetector } from "./speaking";

interface Watched {
  stream: MediaStream;
  source: MediaStreamAudioSourceNode;
  analyser: AnalyserNode;
  detector: SpeakingDetector;
}

export class LevelMeter {
  private readonly watched = new Map<string, Watched>();
  private readonly samples = new Float32Array(1024);

  /** `context` must be made (or resumed) in a click handler, or browsers keep it suspended. */
  constructor(private readonly context: AudioContext) {}

  /** Measures `stream` under `key`; watching the same stream again is free. */
  watch(key: string, stream: MediaStream) {
    const known = this.watched.get(key);
    if (known?.stream === stream) return;
    this.unwatch(key);
    if (stream.getAudioTracks().length === 0) return;
    const source = this.context.createMediaStreamSource(stream);
    const analyser = this.context.createAnalyser();
    analyser.fftSize = this.samples.length;
    source.connect(analyser);
    this.watched.set(key, { stream, source, analyser, detector: new SpeakingDetector() });
  }

  unwatch(key: string) {
    const known = this.watched.get(key);
    if (!known) return;
    known.source.disconnect();
    this.watched.delete(key);
  }

  /** Stops measuring every stream whose key fails `keep`. */
  retain(keep: (key: string) => boolean) {
    for (const key of [...this.watched.keys()]) if (!keep(key)) this.unwatch(key);
  }

  /** The keys whose streams carry speech now. */
  speaking(now: number): Set<string> {
    const loud = new Set<string>();
    for (const [key, watched] of this.watched) {
      watched.analyser.getFloatTimeDomainData(this.samples);
      if (watched.detector.update(loudness(this.samples), now)) loud.add(key);
    }
    return loud;
  }

  close() {
    for (const key of [...this.watched.keys()]) this.unwatch(key);
    void this.context.close();
  }
}
