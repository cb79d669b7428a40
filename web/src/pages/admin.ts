// For admins: add elements and avatars, draw maps by clicking furniture onto a grid and
// painting tile effects on it, or import maps drawn in Tiled.

import { api } from "../api";
import { h, showError } from "../dom";
import { imageField } from "./imagefield";
import { layout } from "./layout";
import { MapEditor } from "./mapeditor";
import { MapImport } from "./mapimport";
import { MapList } from "./maplist";

export function adminPage(root: HTMLElement) {
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const notice = h("p", { class: "notice", hidden: true });
  const done = (text: string) => {
    showError(error, null);
    notice.textContent = text;
    notice.hidden = false;
  };
  const fail = (e: unknown) => {
    notice.hidden = true;
    showError(error, e);
  };
  const maps = new MapList();
  const refreshMaps = () => void maps.refresh().catch(fail);
  const mapEditor = new MapEditor(done, fail, refreshMaps);
  const mapImport = new MapImport(refreshMaps);
  const main = layout(root, "Admin", notice, error);
  main.append(
    h("div", { class: "columns" }, elementForm(done, fail, mapEditor), avatarForm(done, fail)),
    mapEditor.el,
    h("div", { class: "columns maps" }, mapImport.el, maps.el),
  );

  void api
    .me()
    .then((me) => {
      if (me.role !== "admin") fail(new Error("Only admins can change the catalogue."));
    })
    .catch(fail);
  void mapEditor.loadElements().catch(fail);
  refreshMaps();
}

function elementForm(done: (t: string) => void, fail: (e: unknown) => void, editor: MapEditor) {
  const imageUrl = h("input", { name: "imageUrl", required: true, placeholder: "https://… or /demo/desk.svg" });
  const width = h("input", { name: "width", type: "number", min: 1, max: 100, value: 1 });
  const height = h("input", { name: "height", type: "number", min: 1, max: 100, value: 1 });
  const solid = h("input", { name: "static", type: "checkbox", checked: true });
  const form = h(
    "form",
    { class: "card" },
    h("h2", {}, "New element"),
    imageField("Image URL", imageUrl, "Upload the element image"),
    h("div", { class: "row" }, h("label", {}, "Width", width), h("label", {}, "Height", height)),
    h("label", { class: "check" }, solid, " Solid (people cannot walk through it)"),
    h("button", { type: "submit", class: "primary" }, "Add element"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api.createElement({
        imageUrl: imageUrl.value.trim(),
        width: Number(width.value),
        height: Number(height.value),
        static: solid.checked,
      });
      form.reset();
      done("Element added.");
      await editor.loadElements();
    } catch (e) {
      fail(e);
    }
  });
  return form;
}

function avatarForm(done: (t: string) => void, fail: (e: unknown) => void) {
  const imageUrl = h("input", { name: "imageUrl", required: true, placeholder: "https://… or /demo/avatar-fox.svg" });
  const name = h("input", { name: "name", required: true, maxlength: 100 });
  const form = h(
    "form",
    { class: "card" },
    h("h2", {}, "New avatar"),
    imageField("Image URL", imageUrl, "Upload the avatar image"),
    h("label", {}, "Name", name),
    h("button", { type: "submit", class: "primary" }, "Add avatar"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api.createAvatar(imageUrl.value.trim(), name.value.trim());
      form.reset();
      done("Avatar added.");
    } catch (e) {
      fail(e);
    }
  });
  return form;
}
