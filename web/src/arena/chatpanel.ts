// The chat panel: pick who hears you (everyone, people nearby, or one person), read the
// live conversation, scroll up for the space's history. Collapsed, it counts unread messages.

import { api } from "../api";
import { h } from "../dom";
import type { ChatBody, ChatScope } from "../generated/wire";

const PAGE = 50;

export interface ChatPanelOptions {
  spaceId: string;
  myId: () => string | null;
  nameOf: (userId: string) => string;
  send: (text: string, scope: ChatScope, to?: string) => void;
}

export class ChatPanel {
  readonly el: HTMLElement;
  readonly toggle: HTMLButtonElement;
  private readonly list = h("ol", { class: "chat-log", "data-testid": "chat-log" });
  private readonly target = h("select", {
    class: "chat-target",
    "aria-label": "Send to",
    "data-testid": "chat-target",
  });
  private readonly input = h("input", {
    class: "chat-input",
    maxlength: 500,
    placeholder: "Say something…",
    "data-testid": "chat-input",
  });
  private readonly badge = h("span", { class: "badge", hidden: true, "data-testid": "chat-unread" });
  private readonly seen = new Set<string>();
  private open = false;
  private unread = 0;
  private historyLoaded = false;
  private older: string | null = null;
  private loading = false;

  constructor(private readonly options: ChatPanelOptions) {
    this.toggle = h("button", { class: "chat-toggle", "data-testid": "chat-toggle" }, "Chat ", this.badge);
    this.toggle.addEventListener("click", () => this.setOpen(!this.open));
    const form = h(
      "form",
      { class: "chat-form" },
      this.input,
      h("button", { type: "submit", class: "primary" }, "Send"),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    // Keys typed here are for the message, not for walking.
    this.input.addEventListener("keydown", (event) => event.stopPropagation());
    this.list.addEventListener("scroll", () => {
      if (this.list.scrollTop < 40) void this.loadOlder();
    });
    this.el = h("section", { class: "chat", hidden: true, "data-testid": "chat" }, this.target, this.list, form);
    this.refreshPeople([]);
  }

  setOpen(open: boolean) {
    this.open = open;
    this.el.hidden = !open;
    if (open) {
      this.unread = 0;
      this.showUnread();
      if (!this.historyLoaded) void this.loadOlder();
      this.input.focus();
    }
  }

  /** Keeps the "send to" choices in step with who is in the space. */
  refreshPeople(people: { id: string; name: string }[]) {
    const chosen = this.target.value;
    this.target.replaceChildren(
      h("option", { value: "space" }, "Everyone"),
      h("option", { value: "nearby" }, "People nearby"),
      ...people.map((p) => h("option", { value: `direct:${p.id}` }, `Only ${p.name}`)),
    );
    this.target.value = [...this.target.options].some((o) => o.value === chosen) ? chosen : "space";
  }

  receive(message: ChatBody) {
    if (this.seen.has(message.id)) return;
    const atBottom = this.atBottom();
    this.list.append(this.render(message));
    if (atBottom) this.list.scrollTop = this.list.scrollHeight;
    if (!this.open && message.userId !== this.options.myId()) {
      this.unread++;
      this.showUnread();
    }
  }

  /**
   * After a fresh join: what was said while we were away never reached this page, only the
   * history. Fetches its newest page and puts each message we lack in its place by time.
   */
  async catchUp() {
    try {
      const page = await api.chatHistory(this.options.spaceId, undefined, PAGE);
      const atBottom = this.atBottom();
      for (const message of page.messages.filter((m) => !this.seen.has(m.id)).reverse()) {
        const later = [...this.list.children].find((li) => Number((li as HTMLElement).dataset.ts) > message.ts);
        this.list.insertBefore(this.render(message), later ?? null);
        if (!this.open && message.userId !== this.options.myId()) this.unread++;
      }
      this.showUnread();
      if (atBottom) this.list.scrollTop = this.list.scrollHeight;
    } catch {
      // Like the history, best effort.
    }
  }

  private atBottom(): boolean {
    return this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 40;
  }

  private submit() {
    const text = this.input.value.trim();
    if (!text) return;
    const [scope, to] = this.target.value.startsWith("direct:")
      ? (["direct", this.target.value.slice("direct:".length)] as const)
      : ([this.target.value as ChatScope, undefined] as const);
    this.options.send(text, scope, to);
    this.input.value = "";
  }

  private async loadOlder() {
    if (this.loading || (this.historyLoaded && !this.older)) return;
    this.loading = true;
    try {
      const page = await api.chatHistory(this.options.spaceId, this.older ?? undefined, PAGE);
      this.historyLoaded = true;
      this.older = page.next;
      const before = this.list.scrollHeight;
      const fresh = page.messages.filter((m) => !this.seen.has(m.id)).reverse();
      this.list.prepend(...fresh.map((m) => this.render(m)));
      // Keep the view where it was while older messages appear above it.
      this.list.scrollTop += this.list.scrollHeight - before;
    } catch {
      // History is best effort; live messages keep coming.
    } finally {
      this.loading = false;
    }
  }

  private render(message: ChatBody): HTMLElement {
    this.seen.add(message.id);
    const when = new Date(message.ts).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    const tag =
      message.scope === "nearby"
        ? h("span", { class: "tag" }, "nearby")
        : message.scope === "direct"
          ? h("span", { class: "tag" }, `to ${message.to ? this.options.nameOf(message.to) : "?"}`)
          : null;
    return h(
      "li",
      { "data-message": message.id, "data-ts": String(message.ts) },
      h("span", { class: "meta" }, `${message.username} · ${when}`),
      tag,
      h("span", { class: "text" }, message.text),
    );
  }

  private showUnread() {
    this.badge.textContent = String(this.unread);
    this.badge.hidden = this.unread === 0;
  }
}
