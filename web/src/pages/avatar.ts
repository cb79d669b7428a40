// Pick the picture others see next to your name: one of the shared avatars, or one of your
// own, made from an image you upload here.

import { api } from "../api";
import { h, showError } from "../dom";
import { DropZone } from "../dropzone";
import type { AvatarBody } from "../generated/wire";
import { navigate } from "../router";
import { layout } from "./layout";

/** The server's limit on an avatar's name. */
const MAX_NAME = 100;

export function avatarPage(root: HTMLElement) {
  const shared = h("div", { class: "avatar-grid", "data-testid": "shared-avatars" }, "Loading…");
  const own = h("div", { class: "avatar-grid", "data-testid": "own-avatars" });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const next = sessionStorage.getItem("gather.next");
  const name = h("input", { name: "avatarName", maxlength: MAX_NAME, placeholder: "The file's name" });
  const zone = new DropZone({
    label: "Upload an image",
    onUploaded: async (asset, file) => {
      await api.createOwnAvatar(name.value.trim() || avatarName(file.name), asset.url);
      name.value = "";
      await refresh();
    },
  });
  const choose = async (id: string) => {
    try {
      await api.chooseAvatar(id);
      sessionStorage.removeItem("gather.next");
      navigate(next ?? "/spaces");
    } catch (e) {
      showError(error, e);
    }
  };
  const remove = async (avatar: AvatarBody) => {
    if (!window.confirm(`Delete your avatar "${avatar.name}"?`)) return;
    try {
      await api.deleteOwnAvatar(avatar.id);
      await refresh();
    } catch (e) {
      showError(error, e);
    }
  };
  layout(
    root,
    "Choose your avatar",
    error,
    shared,
    h("h2", {}, "Your avatars"),
    own,
    h(
      "section",
      { class: "card upload-avatar" },
      h("h2", {}, "Upload your own"),
      h("label", {}, "Name", name),
      zone.el,
    ),
    h("p", {}, h("a", { href: next ?? "/spaces" }, "Skip for now")),
  );

  const refresh = async () => {
    try {
      // Your own list is asked for apart, so a server without it still offers the shared ones.
      const [avatars, me] = await Promise.all([api.avatars(), api.me()]);
      shared.replaceChildren(...avatars.map((a) => avatarButton(a, me.avatarId, choose)));
      if (avatars.length === 0) shared.append(h("p", { class: "muted" }, "No avatars yet: an admin can add some."));
      const mine = await api.ownAvatars();
      own.replaceChildren(
        ...mine.map((a) =>
          h(
            "div",
            { class: "own-avatar" },
            avatarButton(a, me.avatarId, choose),
            h("button", { class: "link danger", "aria-label": `Delete ${a.name}`, onclick: () => remove(a) }, "Delete"),
          ),
        ),
      );
      if (mine.length === 0) own.append(h("p", { class: "muted" }, "None yet: upload an image below."));
    } catch (e) {
      showError(error, e);
    }
  };
  void refresh();
}

function avatarButton(avatar: AvatarBody, chosenId: string | null, choose: (id: string) => Promise<void>) {
  return h(
    "button",
    {
      class: avatar.id === chosenId ? "avatar chosen" : "avatar",
      "data-avatar": avatar.id,
      onclick: () => choose(avatar.id),
    },
    h("img", { src: avatar.imageUrl, alt: "" }),
    h("span", {}, avatar.name),
  );
}

/** A name for an avatar made from `fileName`: the name without its extension. */
export function avatarName(fileName: string): string {
  const name = fileName.replace(/\.[^.]*$/, "").trim();
  return name.slice(0, MAX_NAME) || "My avatar";
}
