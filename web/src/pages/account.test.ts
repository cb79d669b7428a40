import { describe, expect, it } from "vitest";
import { describeAgent } from "./account";

describe("describeAgent", () => {
  it("names browser and system", () => {
    const chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
    expect(describeAgent(chrome)).toBe("Chrome on Linux");
    expect(describeAgent("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Gecko/20100101 Firefox/130.0")).toBe(
      "Firefox on macOS",
    );
    expect(describeAgent("curl/8.0")).toBe("curl/8.0");
    expect(describeAgent("")).toBe("Unknown device");
  });
});
