// What a new socket needs to take back the membership a dropped one held: its resume key,
// and how many of the server's frames arrived, counted as the server counts them. No
// sockets here; the connection tells this what happened.

import type { ResumePayload, ServerFrame } from "../generated/wire";
import { randomId } from "./randomid";

/**
 * The server numbers every text frame it writes on a socket, from the socket's start and
 * whatever the frame (errors before a join too), except `resumed`. A socket that resumes
 * takes over the dropped socket's numbering; a fresh start (`resumed` with a snapshot)
 * begins again at zero. `lastSeq` in a `resume` is how far along that numbering we got.
 */
export class Resumption {
  /** The membership we hold, or may: a join or resume for it went out. */
  private key: string | null = null;
  /** Frames received on the membership, as of the last socket that carried it. */
  private lastSeq = 0;
  /** Frames received on this socket, numbered as the server numbers them. */
  private received = 0;
  /** Whether this socket carries the membership, so that its count is the membership's. */
  private carried = false;

  /** Whether a new socket should `resume` rather than `join`. */
  get resumable(): boolean {
    return this.key !== null;
  }

  /** A new socket: the server numbers its frames from zero. */
  opened() {
    this.received = 0;
    this.carried = false;
  }

  /** Counts a frame received on this socket (`null`: text that was not a frame, which counts too). */
  count(frame: ServerFrame | null) {
    if (frame?.type !== "resumed") this.received++;
  }

  /** The socket is gone: what it counted is where a resume starts. */
  closed() {
    if (this.carried) this.lastSeq = this.received;
    this.carried = false;
  }

  /** A `join` goes out on this socket: a new membership, numbered as this socket's frames are. */
  join(): string {
    this.key = randomId();
    this.carried = true;
    return this.key;
  }

  /** The `resume` to send first on a new socket; only when `resumable`. */
  resume(spaceId: string, token: string): ResumePayload {
    return { spaceId, token, resumeKey: this.key ?? "", lastSeq: this.lastSeq };
  }

  /**
   * The server took the membership back: on from where we were, or (`snapshot`) a fresh
   * start under the same key, whose `space-joined` is the first frame numbered.
   */
  resumed(snapshot: boolean) {
    this.received = snapshot ? 0 : this.lastSeq;
    this.carried = true;
  }

  /** The membership ended (we left, were refused, or the server restarted): join afresh next time. */
  forget() {
    this.key = null;
    this.lastSeq = 0;
    this.carried = false;
  }
}
