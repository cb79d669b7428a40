// Pick the picture others see next to your name.

import { api } from "../api";
import { h, showError } from "../dom";
import { navigate } from "../router";
import { layout } from "./layout";

export function avatarPage(root: HTMLElement) {
  const grid = h("div", { class: "avatar-grid" }, "Loading…");
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const next = sessionStorage.getItem("gather.next");
  layout(root, "Choose your avatar", error, grid, h("p", {}, h("a", { href: next ?? "/spaces" }, "Skip for now")));
  void (async () => {
    try {
      const [avatars, me] = await Promise.all([api.avatars(), api.me()]);
      grid.replaceChildren();
      if (avatars.length === 0) grid.append(h("p", { class: "muted" }, "No avatars yet: an admin can add some."));
      for (const avatar of avatars) {
        const button = h(
          "button",
          { class: avatar.id === me.avatarId ? "avatar chosen" : "avatar", "data-avatar": avatar.id },
          h("img", { src: avatar.imageUrl, alt: "" }),
          h("span", {}, avatar.name),
        );
        button.addEventListener("click", async () => {
          try {
            await api.chooseAvatar(avatar.id);
            sessionStorage.removeItem("gather.next");
            navigate(next ?? "/spaces");
          } catch (e) {
            showError(error, e);
          }
        });
        grid.append(button);
      }
    } catch (e) {
      showError(error, e);
    }
  })();
}
