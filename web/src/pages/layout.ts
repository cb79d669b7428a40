// The frame around the non-arena pages: brand, navigation and sign-out.

import { h } from "../dom";
import { navigate } from "../router";
import { session } from "../session";
import { api } from "../api";

export function layout(root: HTMLElement, title: string, ...content: Node[]): HTMLElement {
  const adminLink = h("a", { href: "/admin", hidden: true }, "Admin");
  void api
    .me()
    .then((me) => {
      adminLink.hidden = me.role !== "admin";
    })
    .catch(() => {});
  const header = h(
    "header",
    { class: "topbar" },
    h("a", { href: "/spaces", class: "brand" }, "Gather"),
    h(
      "nav",
      {},
      h("a", { href: "/spaces" }, "Spaces"),
      h("a", { href: "/avatar" }, "Avatar"),
      h("a", { href: "/account" }, "Account"),
      adminLink,
    ),
    h("span", { class: "who" }, session.username() ?? ""),
    h(
      "button",
      {
        class: "link",
        "data-testid": "sign-out",
        onclick: async () => {
          // Revoke the session on the server too; sign out locally even if that fails.
          await api.signout().catch(() => {});
          session.clear();
          navigate("/signin");
        },
      },
      "Sign out",
    ),
  );
  const main = h("main", { class: "page" }, h("h1", {}, title), ...content);
  root.append(header, main);
  return main;
}
