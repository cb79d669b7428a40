// Someone in a space without a browser: a WebSocket client on node:net (Node 20 has no
// WebSocket of its own) with just enough of RFC 6455 for the tests: text frames both ways,
// pings answered, and every frame received kept, in order, to look at afterwards.

import { connect } from "node:net";
import { randomBytes } from "node:crypto";

/** Opens a WebSocket to `${httpUrl}/ws`. */
export async function wsPerson(httpUrl) {
  const url = new URL(httpUrl);
  const socket = connect(Number(url.port), url.hostname);
  await new Promise((ok, fail) => socket.once("connect", ok).once("error", fail));
  socket.write(
    [
      "GET /ws HTTP/1.1",
      `Host: ${url.host}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
      "Sec-WebSocket-Version: 13",
      "",
      "",
    ].join("\r\n"),
  );
  const rest = await new Promise((ok, fail) => {
    let head = Buffer.alloc(0);
    const onData = (chunk) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      const status = head.subarray(0, head.indexOf("\r\n")).toString();
      if (!status.includes(" 101 ")) fail(new Error(`no WebSocket upgrade: ${status}`));
      else ok(head.subarray(end + 4));
    };
    socket.on("data", onData);
  });
  return new WsPerson(socket, rest);
}

class WsPerson {
  /** Every frame received, oldest first. */
  frames = [];
  #socket;
  #buffer;
  #waiters = new Set();

  constructor(socket, rest) {
    this.#socket = socket;
    this.#buffer = rest;
    socket.on("data", (chunk) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#read();
    });
    socket.on("error", () => {});
    this.#read();
  }

  send(frame) {
    this.#write(0x1, Buffer.from(JSON.stringify(frame)));
  }

  /** The first frame received (now or within `ms`) that `match` accepts. */
  waitFor(match, ms = 5000, what = "a frame") {
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((ok, fail) => {
      const waiter = (frame) => {
        if (!match(frame)) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        ok(frame);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        fail(new Error(`gave up waiting for ${what}; received ${JSON.stringify(this.frames.map((f) => f.type))}`));
      }, ms);
      this.#waiters.add(waiter);
    });
  }

  /** Leaves as a browser closing the page does: with a close frame. */
  close() {
    this.#write(0x8, Buffer.from([0x03, 0xe8]));
    this.#socket.end();
  }

  #read() {
    while (this.#buffer.length >= 2) {
      const op = this.#buffer[0] & 0x0f;
      let length = this.#buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.#buffer.length < 4) return;
        length = this.#buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.#buffer.length < 10) return;
        length = Number(this.#buffer.readBigUInt64BE(2));
        offset = 10;
      }
      // A server's frames are never masked, and ours are never fragmented.
      if (this.#buffer.length < offset + length) return;
      const payload = this.#buffer.subarray(offset, offset + length);
      this.#buffer = this.#buffer.subarray(offset + length);
      if (op === 0x1) this.#received(JSON.parse(payload.toString()));
      else if (op === 0x9) this.#write(0xa, payload);
      else if (op === 0x8) this.#socket.end();
    }
  }

  #received(frame) {
    this.frames.push(frame);
    for (const waiter of [...this.#waiters]) waiter(frame);
  }

  /** Writes one frame, masked as a client must. */
  #write(op, payload) {
    const mask = randomBytes(4);
    const length = payload.length;
    const header = length < 126 ? Buffer.alloc(2) : length < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
    header[0] = 0x80 | op;
    if (length < 126) header[1] = 0x80 | length;
    else if (length < 65536) {
      header[1] = 0x80 | 126;
      header.writeUInt16BE(length, 2);
    } else {
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(length), 2);
    }
    const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]));
    this.#socket.write(Buffer.concat([header, mask, masked]));
  }
}
