import { afterEach, describe, expect, it, vi } from "vitest";
import { randomId } from "./randomid";

describe("randomId", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("is a UUID where the browser makes them", () => {
    expect(randomId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it("is 32 random hex digits on plain http, where it does not", () => {
    const real = globalThis.crypto;
    // An insecure context's crypto: random bytes, but no randomUUID.
    vi.stubGlobal("crypto", { getRandomValues: <T extends ArrayBufferView>(array: T) => real.getRandomValues(array) });
    const id = randomId();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(randomId()).not.toBe(id);
  });
});
