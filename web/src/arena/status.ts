// How available people say they are: the words and colours the name labels and the people
// panel show. Pure.

import type { Status } from "../generated/wire";

export interface PersonStatus {
  status: Status;
  text: string;
}

/** The most a status text may hold; the server refuses longer. */
export const STATUS_TEXT_MAX = 64;

export const STATUS_NAMES: Record<Status, string> = {
  available: "Available",
  busy: "Busy",
  "do-not-disturb": "Do not disturb",
};

export const STATUS_COLORS: Record<Status, string> = {
  available: "#2ecc71",
  busy: "#f0ad4e",
  "do-not-disturb": "#c0392b",
};

/**
 * The line under a name: nothing for plain available, else the status and any text
 * ("Busy · in a call"); available with a text shows just the text.
 */
export function statusLine(status: PersonStatus | undefined): string {
  if (!status) return "";
  const text = status.text.trim();
  if (status.status === "available") return text;
  return text ? `${STATUS_NAMES[status.status]} · ${text}` : STATUS_NAMES[status.status];
}

/** Cuts a typed status text to what the server takes, counting characters, not UTF-16 units. */
export function clampStatusText(text: string): string {
  return [...text.trim()].slice(0, STATUS_TEXT_MAX).join("");
}
