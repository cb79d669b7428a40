import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "./api";
import { answerOf, sentFraction, uploads } from "./upload";

/** Just enough of XMLHttpRequest to play the server's part. */
class FakeXhr {
  static last: FakeXhr;
  method = "";
  url = "";
  headers: Record<string, string> = {};
  body: unknown;
  status = 0;
  responseText = "";
  upload: { onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null } = {
    onprogress: null,
  };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;

  constructor() {
    FakeXhr.last = this;
  }
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: unknown) {
    this.body = body;
  }
  answer(status: number, body: unknown) {
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.onload?.();
  }
}

beforeEach(() => {
  vi.stubGlobal("XMLHttpRequest", FakeXhr);
  const stored = new Map([["gather.token", "tok"]]);
  vi.stubGlobal("localStorage", { getItem: (key: string) => stored.get(key) ?? null });
});
afterEach(() => vi.unstubAllGlobals());

const png = () => new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], "me.png", { type: "image/png" });

describe("sentFraction", () => {
  it("is the share sent, kept within 0..1", () => {
    expect(sentFraction(0, 200, true)).toBe(0);
    expect(sentFraction(50, 200, true)).toBe(0.25);
    expect(sentFraction(300, 200, true)).toBe(1);
  });

  it("is unknown without a total", () => {
    expect(sentFraction(50, 0, false)).toBeNull();
    expect(sentFraction(50, 0, true)).toBeNull();
  });
});

describe("answerOf", () => {
  it("hands back the body of a 2xx", () => {
    expect(answerOf(200, '{"id":"a"}')).toEqual({ id: "a" });
  });

  it("throws the server's code and message", () => {
    const body = JSON.stringify({ error: { code: "asset-quota", message: "Your upload quota is used up." } });
    expect(() => answerOf(409, body)).toThrow(
      expect.objectContaining({ status: 409, code: "asset-quota", message: "Your upload quota is used up." }),
    );
    expect(() => answerOf(409, body)).toThrow(ApiError);
  });

  it("names the status when the body is not the server's JSON", () => {
    expect(() => answerOf(502, "<html>Bad gateway</html>")).toThrow("Request failed (502)");
  });
});

describe("uploads.image", () => {
  it("posts the file with the bearer token and reports progress", async () => {
    const seen: (number | null)[] = [];
    const done = uploads.image(png(), (f) => seen.push(f));
    const xhr = FakeXhr.last;
    expect([xhr.method, xhr.url]).toEqual(["POST", "/api/v1/assets"]);
    expect(xhr.headers.authorization).toBe("Bearer tok");
    expect((xhr.body as FormData).get("file")).toBeInstanceOf(File);
    xhr.upload.onprogress?.({ loaded: 1, total: 4, lengthComputable: true });
    xhr.upload.onprogress?.({ loaded: 4, total: 4, lengthComputable: true });
    const asset = { id: "ab", url: "/assets/ab.png", width: 2, height: 2, bytes: 70 };
    xhr.answer(200, asset);
    await expect(done).resolves.toEqual(asset);
    expect(seen).toEqual([0.25, 1]);
  });

  it("rejects with the server's message", async () => {
    const done = uploads.image(png());
    FakeXhr.last.answer(400, { error: { code: "not-an-image", message: "That file is not an image." } });
    await expect(done).rejects.toThrow("That file is not an image.");
  });

  it("says so when the server cannot be reached", async () => {
    const done = uploads.image(png());
    FakeXhr.last.onerror?.();
    await expect(done).rejects.toMatchObject({ status: 0, code: "network" });
  });
});

describe("uploads.importMap", () => {
  it("sends the map, every tileset image and the name", () => {
    const map = new File(["{}"], "office.tmj");
    void uploads.importMap(map, [png(), png()], "Office");
    const form = FakeXhr.last.body as FormData;
    expect(FakeXhr.last.url).toBe("/api/v1/admin/map/import");
    expect((form.get("map") as File).name).toBe("office.tmj");
    expect(form.getAll("file")).toHaveLength(2);
    expect(form.get("name")).toBe("Office");
  });

  it("leaves the name out when none is given", () => {
    void uploads.importMap(new File(["{}"], "office.tmj"), [], "");
    expect((FakeXhr.last.body as FormData).has("name")).toBe(false);
  });
});
