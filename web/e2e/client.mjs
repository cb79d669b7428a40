// Serves a client built here (web/dist) in front of a running Gather: static files from
// the build, everything else (/api, /ws, /demo, uploaded /assets) passed through to the
// server. The server binary embeds the client it was built with; this lets the browser
// tests run today's client against a binary built earlier. Media goes straight to the
// server's UDP relay.

import { createServer, request } from "node:http";
import { connect } from "node:net";
import { existsSync, readFileSync, statSync } from "node:fs";
import { extname, join, normalize } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".map": "application/json",
};
const PASSED_ON = ["/api/", "/ws", "/demo/", "/assets/", "/metrics", "/health"];

/** Starts the front on a free loopback port; `upstream` is the server's `http://host:port`. */
export async function serveClient(distDir, upstream) {
  if (!existsSync(join(distDir, "index.html"))) throw new Error(`no client build in ${distDir} (npm run build)`);
  const target = new URL(upstream);
  // Upgraded sockets are no longer the HTTP server's to close.
  const upgraded = new Set();
  const server = createServer((req, res) => {
    if (PASSED_ON.some((p) => req.url.startsWith(p))) return pass(req, res, target);
    const path = normalize(decodeURIComponent(req.url.split("?")[0])).replace(/^(\.\.[/\\])+/, "");
    let file = join(distDir, path);
    // The client's own routes (/spaces, /space/<id>) load its index.html, as the server does.
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(distDir, "index.html");
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  server.on("upgrade", (req, socket, head) => {
    const upstreamSocket = connect(Number(target.port), target.hostname, () => {
      const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`);
      upstreamSocket.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers.join("\r\n")}\r\n\r\n`);
      upstreamSocket.write(head);
      socket.pipe(upstreamSocket).pipe(socket);
    });
    const end = () => {
      socket.destroy();
      upstreamSocket.destroy();
    };
    upgraded.add(end);
    upstreamSocket.on("error", end);
    socket.on("error", end);
    socket.on("close", () => {
      upgraded.delete(end);
      upstreamSocket.destroy();
    });
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    async stop() {
      for (const end of upgraded) end();
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}

function pass(req, res, target) {
  const upstream = request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on("error", () => {
    res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
}
