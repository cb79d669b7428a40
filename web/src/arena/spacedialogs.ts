// The arena's dialogs about coming and going: the password for a protected space (traded
// for a grant), "go to <space>?" on a portal to another space, and the notice that a
// moderator sent us out, after which there is no way back in from this page.

import { api, ApiError } from "../api";
import { h } from "../dom";
import type { GrantStore } from "../grants";
import { navigate } from "../router";
import { spaceLink } from "./arrival";
import { Modal } from "./modal";
import type { PortalReached } from "./world";

type Showing = "password" | "portal" | "removed";

const REMOVED_TEXT: Record<string, { title: string; text: string }> = {
  kicked: { title: "You were removed from this space", text: "A moderator sent you out. You may come back later." },
  banned: { title: "You were banned from this space", text: "A moderator banned you; you cannot come back in." },
};

export class SpaceDialogs {
  readonly modal = new Modal("space-dialog");
  private showing: Showing | null = null;
  /** Bumped by each portal, so a slow name lookup does not open an old one's dialog. */
  private portalSeq = 0;

  constructor(
    private readonly spaceId: string,
    private readonly grants: GrantStore,
    /** Joins again once a grant is stored. */
    private readonly rejoin: () => void,
  ) {}

  get el(): HTMLElement {
    return this.modal.el;
  }

  get portalOpen(): boolean {
    return this.modal.isOpen && this.showing === "portal";
  }

  get removedShown(): boolean {
    return this.modal.isOpen && this.showing === "removed";
  }

  /** Confirms the portal dialog, as its "Go" button does; false when none is open. */
  confirmPortal(): boolean {
    if (!this.portalOpen) return false;
    this.modal.confirm();
    return true;
  }

  /** The server wants the password (none stored, or the stored grant no longer holds). */
  askPassword(problem?: string) {
    this.grants.forget(this.spaceId);
    this.open("password", {
      title: "This space has a password",
      text: problem ?? "Ask its owner for the password.",
      field: { label: "Password", type: "password" },
      confirm: "Enter",
      cancel: "Back to spaces",
      onConfirm: (password) => void this.trade(password),
      onCancel: () => navigate("/spaces"),
    });
  }

  async offerPortal(portal: PortalReached) {
    const seq = ++this.portalSeq;
    const name = await api.space(portal.spaceId).then(
      (space) => space.name,
      () => "another space",
    );
    if (seq !== this.portalSeq || this.removedShown) return;
    this.open("portal", {
      title: `Go to ${name}?`,
      text: "This portal leads to another space.",
      confirm: "Go",
      cancel: "Stay here",
      onConfirm: () => navigate(spaceLink(portal.spaceId, portal.spawn)),
    });
  }

  showRemoved(reason: string) {
    const { title, text } = REMOVED_TEXT[reason] ?? REMOVED_TEXT.kicked;
    this.open("removed", { title, text, extra: h("p", {}, h("a", { href: "/spaces" }, "Back to your spaces")) });
  }

  private open(showing: Showing, options: Parameters<Modal["open"]>[0]) {
    this.showing = showing;
    this.modal.open(options);
  }

  private async trade(password: string) {
    try {
      const { grant } = await api.grant(this.spaceId, password);
      this.grants.save(this.spaceId, grant);
      this.showing = null;
      this.rejoin();
    } catch (e) {
      this.askPassword(
        e instanceof ApiError && e.status === 403 ? "That password is not right. Try again." : String(e),
      );
    }
  }
}
