// Chat we sent that the server has not answered yet, to send again on a new socket. Each
// message carries a client id, so sending again one the server did store only brings its
// acknowledgement again: nothing is lost and nothing is doubled.

import type { ChatBody, ChatPayload, ChatScope } from "../generated/wire";
import { randomId } from "./randomid";

/** How many of our acknowledged message ids to remember, to spot a repeated acknowledgement. */
const REMEMBERED = 256;

export class ChatOutbox {
  /** Oldest first: the server answers a socket's frames in the order they came. */
  private readonly waiting: ChatPayload[] = [];
  private readonly acknowledged = new Set<string>();

  /** A new message, waiting until the server answers it. */
  add(text: string, scope: ChatScope, to?: string): ChatPayload {
    const payload: ChatPayload = { text, scope, ...(to ? { to } : {}), clientId: randomId() };
    this.waiting.push(payload);
    return payload;
  }

  /**
   * Our own message came back from the server. False when it had come back before: the
   * answer to a retry of a message that was stored the first time, which is no news.
   */
  acknowledge(message: ChatBody): boolean {
    if (this.acknowledged.has(message.id)) return false;
    this.acknowledged.add(message.id);
    if (this.acknowledged.size > REMEMBERED) this.acknowledged.delete(this.acknowledged.values().next().value!);
    // The acknowledgement names the stored message, not our client id; answers come in
    // order, so this is the oldest waiting with that text (the server trims it).
    const at = this.waiting.findIndex((p) => p.text.trim() === message.text && (p.scope ?? "space") === message.scope);
    if (at >= 0) this.waiting.splice(at, 1);
    return true;
  }

  /** The server refused a message (too long, nobody to hear it, too fast): the oldest waiting. */
  refused() {
    this.waiting.shift();
  }

  /** What to send (again) once in the space, oldest first. */
  get unanswered(): readonly ChatPayload[] {
    return this.waiting;
  }
}
