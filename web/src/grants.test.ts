import { describe, expect, it } from "vitest";
import { GrantStore } from "./grants";

function memoryStorage() {
  const map = new Map<string, string>();
  return {
    getItem: (key: string) => map.get(key) ?? null,
    setItem: (key: string, value: string) => void map.set(key, value),
    removeItem: (key: string) => void map.delete(key),
  };
}

describe("GrantStore", () => {
  it("keeps one grant per space, until forgotten", () => {
    const grants = new GrantStore(memoryStorage());
    expect(grants.get("a")).toBeUndefined();
    grants.save("a", "grant-a");
    grants.save("b", "grant-b");
    expect(grants.get("a")).toBe("grant-a");
    grants.forget("a");
    expect(grants.get("a")).toBeUndefined();
    expect(grants.get("b")).toBe("grant-b");
  });

  it("survives a reload: it lives in the storage, not the object", () => {
    const storage = memoryStorage();
    new GrantStore(storage).save("a", "grant-a");
    expect(new GrantStore(storage).get("a")).toBe("grant-a");
  });
});
