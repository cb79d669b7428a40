// Random ids the client makes up for the server: a membership's resume key, a chat
// message's client id.

/**
 * A random UUID. `crypto.randomUUID` exists only in secure contexts (https, localhost), and
 * a space may be served over plain http on a LAN, so this falls back to random bytes.
 */
export function randomId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
