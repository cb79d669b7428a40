// What each role in a space may do, as the client offers it. The server checks again;
// this only decides which buttons to show.

import type { SpaceRole } from "./api";

/** Mute, kick and ban people, and see the space's settings. */
export function canModerate(role: SpaceRole | undefined): boolean {
  return role === "owner" || role === "moderator";
}

/** Paint the space's tile effects. */
export function canBuild(role: SpaceRole | undefined): boolean {
  return role === "owner" || role === "moderator" || role === "builder";
}

/** Change access and members, and read the audit log. */
export function isOwner(role: SpaceRole | undefined): boolean {
  return role === "owner";
}
