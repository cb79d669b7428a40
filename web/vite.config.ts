import { defineConfig } from "vitest/config";

export default defineConfig({
  build: {
    target: "es2022",
    chunkSizeWarningLimit: 1024,
    // Not Vite's default "assets": the server answers /assets/<hash>.png with uploaded images.
    assetsDir: "static",
  },
  server: {
    // `npm run dev` proxies the API and WebSocket to a Gather on the default port.
    proxy: {
      "/api": "http://127.0.0.1:3000",
      "/demo": "http://127.0.0.1:3000",
      "/assets": "http://127.0.0.1:3000",
      "/ws": { target: "ws://127.0.0.1:3000", ws: true },
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      // Generated from crates/protocol, which has its own tests.
      exclude: ["src/**/*.test.ts", "src/generated/**"],
      reporter: ["text", "text-summary"],
    },
  },
});
