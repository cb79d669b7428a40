// A TCP proxy in front of the server that a test can break like a network: it can swallow
// what passes (a link gone dead without anyone noticing yet), cut every connection (the TCP
// connections simply end: no WebSocket close frame, no goodbye of any kind), and turn new
// connections away until the network is back.

import { createServer, connect } from "node:net";

/** Starts the proxy on a free loopback port; `upstreamUrl` is the server's `http://host:port`. */
export async function cutProxy(upstreamUrl) {
  const target = new URL(upstreamUrl);
  const pairs = new Set();
  let refusing = false;
  /** Which way data is thrown away: none, "down" (to the browser) or "both". */
  let swallowing = "none";
  const server = createServer((client) => {
    if (refusing) return client.destroy();
    const upstream = connect(Number(target.port), target.hostname);
    const pair = [client, upstream];
    pairs.add(pair);
    client.on("data", (data) => swallowing !== "both" && upstream.write(data));
    upstream.on("data", (data) => swallowing === "none" && client.write(data));
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of pair) socket.on("error", end).on("close", end);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** From now on, what passes is lost: `"down"` only what goes to the browser. */
    swallow(direction = "both") {
      swallowing = direction;
    },
    /** Ends every connection at once and refuses new ones. */
    cut() {
      refusing = true;
      for (const pair of [...pairs]) for (const socket of pair) socket.destroy();
    },
    /** The network is back. */
    restore() {
      refusing = false;
      swallowing = "none";
    },
    async stop() {
      this.cut();
      await new Promise((done) => server.close(done));
    },
  };
}
