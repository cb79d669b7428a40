// Your account: where you are signed in (and cutting a device off), and your password.

import { api } from "../api";
import type { SessionBody } from "../generated/wire";
import { h, showError } from "../dom";
import { layout } from "./layout";

export function accountPage(root: HTMLElement) {
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const notice = h("p", { class: "notice", hidden: true });
  const list = h("ul", { class: "sessions", "data-testid": "sessions" });
  const refresh = async () => {
    try {
      const sessions = await api.sessions();
      list.replaceChildren(...sessions.map((s) => sessionItem(s, refresh, error)));
    } catch (e) {
      showError(error, e);
    }
  };

  const oldPassword = h("input", {
    type: "password",
    name: "oldPassword",
    autocomplete: "current-password",
    required: true,
  });
  const newPassword = h("input", {
    type: "password",
    name: "newPassword",
    autocomplete: "new-password",
    required: true,
  });
  const form = h(
    "form",
    { class: "card" },
    h("h2", {}, "Change password"),
    h("label", {}, "Current password", oldPassword),
    h("label", {}, "New password", newPassword),
    h("p", { class: "muted" }, "Changing it signs you out everywhere else."),
    h("button", { type: "submit", class: "primary" }, "Change password"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api.changePassword(oldPassword.value, newPassword.value);
      form.reset();
      showError(error, null);
      notice.textContent = "Password changed. Other sessions were signed out.";
      notice.hidden = false;
      await refresh();
    } catch (e) {
      showError(error, e);
    }
  });

  layout(
    root,
    "Account",
    notice,
    error,
    h("div", { class: "columns" }, h("section", { class: "card" }, h("h2", {}, "Where you're signed in"), list), form),
  );
  void refresh();
}

function sessionItem(session: SessionBody, refresh: () => Promise<void>, error: HTMLElement) {
  const seen = new Date(session.lastSeenAt).toLocaleString();
  const action = session.current
    ? h("span", { class: "muted" }, "This device")
    : h(
        "button",
        {
          class: "link danger",
          onclick: async () => {
            try {
              await api.revokeSession(session.id);
              await refresh();
            } catch (e) {
              showError(error, e);
            }
          },
        },
        "Sign out",
      );
  return h(
    "li",
    { "data-session": session.id },
    h("div", {}, h("div", {}, describeAgent(session.userAgent)), h("div", { class: "muted" }, `Last active ${seen}`)),
    action,
  );
}

/** "Mozilla/5.0 (X11; Linux x86_64) … Chrome/156…" → "Chrome on Linux". */
export function describeAgent(agent: string): string {
  const browser = /Edg\//.test(agent)
    ? "Edge"
    : /Firefox\//.test(agent)
      ? "Firefox"
      : /Chrome\//.test(agent)
        ? "Chrome"
        : /Safari\//.test(agent)
          ? "Safari"
          : null;
  const os = /Android/.test(agent)
    ? "Android"
    : /iPhone|iPad/.test(agent)
      ? "iOS"
      : /Windows/.test(agent)
        ? "Windows"
        : /Mac OS X/.test(agent)
          ? "macOS"
          : /Linux/.test(agent)
            ? "Linux"
            : null;
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? (agent || "Unknown device");
}
