import { describe, expect, it } from "vitest";
import { MAX_IMAGE_BYTES, refusal } from "./dropzone";

describe("refusal", () => {
  it("lets through anything the server might take", () => {
    expect(refusal({ size: 1 })).toBeNull();
    expect(refusal({ size: MAX_IMAGE_BYTES })).toBeNull();
  });

  it("stops empty and oversized files before sending them", () => {
    expect(refusal({ size: 0 })).toBe("That file is empty.");
    expect(refusal({ size: MAX_IMAGE_BYTES + 1 })).toBe("That file is over 5 MiB.");
  });
});
