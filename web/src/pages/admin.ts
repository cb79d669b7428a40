// For admins: add elements and avatars, and draw maps by clicking furniture onto a grid.

import { api, parseDimensions } from "../api";
import type { ElementBody } from "../generated/wire";
import { h, showError } from "../dom";
import { layout } from "./layout";

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
  const mapEditor = new MapEditor(done, fail);
  const main = layout(root, "Admin", notice, error);
  main.append(h("div", { class: "columns" }, elementForm(done, fail, mapEditor), avatarForm(done, fail)), mapEditor.el);

  void api
    .me()
    .then((me) => {
      if (me.role !== "admin") fail(new Error("Only admins can change the catalogue."));
    })
    .catch(fail);
  void mapEditor.loadElements().catch(fail);
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
    h("label", {}, "Image URL", imageUrl),
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
    h("label", {}, "Image URL", imageUrl),
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

/** Click a tile to place the chosen element there; click a placed one to remove it. */
class MapEditor {
  readonly el: HTMLElement;
  private elements: ElementBody[] = [];
  private placed: { elementId: string; x: number; y: number }[] = [];
  private readonly palette = h("select", { name: "element" });
  private readonly name = h("input", { name: "mapName", required: true, maxlength: 100, value: "New map" });
  private readonly dims = h("input", { name: "mapDimensions", value: "20x14", pattern: "\\d+x\\d+" });
  private readonly thumbnail = h("input", { name: "thumbnail", value: "/demo/rug.svg", required: true });
  private readonly grid = h("div", { class: "map-grid" });

  constructor(
    private readonly done: (t: string) => void,
    private readonly fail: (e: unknown) => void,
  ) {
    this.dims.addEventListener("change", () => this.draw());
    const form = h(
      "form",
      { class: "card map-editor" },
      h("h2", {}, "New map"),
      h(
        "div",
        { class: "row" },
        h("label", {}, "Name", this.name),
        h("label", {}, "Size", this.dims),
        h("label", {}, "Thumbnail URL", this.thumbnail),
        h("label", {}, "Element to place", this.palette),
      ),
      h("p", { class: "muted" }, "Click a tile to place the element; click placed furniture to remove it."),
      this.grid,
      h("button", { type: "submit", class: "primary" }, "Save map"),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.save();
    });
    this.el = form;
  }

  async loadElements() {
    this.elements = await api.elements();
    this.palette.replaceChildren(
      ...this.elements.map((e) =>
        h(
          "option",
          { value: e.id },
          `${e.imageUrl.split("/").pop()} ${e.width}x${e.height}${e.static ? " solid" : ""}`,
        ),
      ),
    );
    this.draw();
  }

  private draw() {
    const { width, height } = parseDimensions(this.dims.value);
    if (!(width > 0 && height > 0 && width <= 100 && height <= 100)) {
      this.grid.replaceChildren(h("p", { class: "muted" }, "The grid editor shows sizes up to 100x100."));
      return;
    }
    this.grid.style.gridTemplateColumns = `repeat(${width}, 1fr)`;
    const cells: HTMLElement[] = [];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const cell = h("button", { type: "button", class: "cell", "data-x": x, "data-y": y });
        cell.addEventListener("click", () => this.toggle(x, y));
        cells.push(cell);
      }
    }
    for (const item of this.placed) {
      const kind = this.elements.find((e) => e.id === item.elementId);
      if (!kind) continue;
      for (let dy = 0; dy < kind.height; dy++) {
        for (let dx = 0; dx < kind.width; dx++) {
          const x = item.x + dx;
          const y = item.y + dy;
          if (x < width && y < height) cells[y * width + x].classList.add(kind.static ? "solid" : "flat");
        }
      }
    }
    this.grid.replaceChildren(...cells);
  }

  private toggle(x: number, y: number) {
    const hit = this.placed.findIndex((p) => {
      const kind = this.elements.find((e) => e.id === p.elementId);
      return kind && x >= p.x && x < p.x + kind.width && y >= p.y && y < p.y + kind.height;
    });
    if (hit >= 0) this.placed.splice(hit, 1);
    else if (this.palette.value) this.placed.push({ elementId: this.palette.value, x, y });
    this.draw();
  }

  private async save() {
    try {
      await api.createMap({
        name: this.name.value.trim(),
        dimensions: this.dims.value.trim(),
        thumbnail: this.thumbnail.value.trim(),
        defaultElements: this.placed,
      });
      this.placed = [];
      this.draw();
      this.done("Map saved. It is now offered when creating a space.");
    } catch (e) {
      this.fail(e);
    }
  }
}
