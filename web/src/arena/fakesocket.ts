// For the connection's tests: just enough of a WebSocket, and a SpaceConnection on it that
// records what it reports. Imported by tests only.

import { SpaceConnection, type ConnectionOptions, type LinkState } from "./connection";
import type { ClientFrame, ServerFrame } from "../generated/wire";

export class FakeSocket {
  static OPEN = 1;
  readyState = 0;
  sent: string[] = [];
  /** The code it was closed with by the client, if it was. */
  closedWith: number | null = null;
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  send(text: string) {
    this.sent.push(text);
  }
  close(code?: number) {
    this.closedWith = code ?? 1005;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(...frames: ServerFrame[]) {
    for (const frame of frames) this.onmessage?.({ data: JSON.stringify(frame) });
  }
  /** Gone without a close frame, as when the network breaks. */
  drop() {
    this.readyState = 3;
    this.onclose?.({ code: 1006 });
  }
  /** What the client sent, as frames. */
  frames(): ClientFrame[] {
    return this.sent.map((text) => JSON.parse(text) as ClientFrame);
  }
}

export function connect(extra: Partial<ConnectionOptions> = {}) {
  (globalThis as { WebSocket?: unknown }).WebSocket = FakeSocket;
  const sockets: FakeSocket[] = [];
  const states: LinkState[] = [];
  const details: (string | undefined)[] = [];
  const frames: ServerFrame[] = [];
  const connection = new SpaceConnection({
    url: "ws://test/ws",
    spaceId: "space",
    token: "token",
    onFrame: (f) => frames.push(f),
    onState: (s, detail) => {
      states.push(s);
      details.push(detail);
    },
    createSocket: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket as unknown as WebSocket;
    },
    ...extra,
  });
  connection.start();
  return { connection, sockets, states, details, frames };
}
