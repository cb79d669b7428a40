// The admin's map editor: a grid of tiles to click furniture onto, or to paint tile effects
// on with the same tools and rules as the arena's build mode (../arena/painting).

import { api, parseDimensions } from "../api";
import type { EffectsBody, ElementBody, Point } from "../generated/wire";
import { h } from "../dom";
import { areaAt, effectCount, emptyEffects, sameTile } from "../arena/effects";
import { PaintStroke } from "../arena/painting";
import { ToolPicker } from "../arena/toolpicker";
import { imageField } from "./imagefield";

type Layer = "furniture" | "effects";

/** Click a tile to place the chosen element there; click a placed one to remove it. */
export class MapEditor {
  readonly el: HTMLElement;
  private elements: ElementBody[] = [];
  private placed: { elementId: string; x: number; y: number }[] = [];
  private effects: EffectsBody = emptyEffects();
  private stroke: { paint: PaintStroke; last: Point } | null = null;
  private cells: HTMLElement[] = [];
  private width = 0;
  private readonly palette = h("select", { name: "element" });
  private readonly layer = h(
    "select",
    { name: "layer", "aria-label": "Paint" },
    h("option", { value: "furniture" }, "Furniture"),
    h("option", { value: "effects" }, "Tile effects"),
  );
  private readonly tools = new ToolPicker();
  private readonly name = h("input", { name: "mapName", required: true, maxlength: 100, value: "New map" });
  private readonly dims = h("input", { name: "mapDimensions", value: "20x14", pattern: "\\d+x\\d+" });
  private readonly thumbnail = h("input", { name: "thumbnail", value: "/demo/rug.svg", required: true });
  private readonly floorImage = h("input", { name: "floorImageUrl", placeholder: "/assets/….png" });
  private readonly grid = h("div", { class: "map-grid" });
  private readonly summary = h("p", { class: "muted" });
  private readonly paletteRow = h("label", {}, "Element to place", this.palette);

  constructor(
    private readonly done: (t: string) => void,
    private readonly fail: (e: unknown) => void,
    private readonly saved: () => void,
  ) {
    this.dims.addEventListener("change", () => this.draw());
    this.layer.addEventListener("change", () => this.showLayer());
    this.grid.addEventListener("click", (event) => this.click(event));
    this.grid.addEventListener("pointerdown", (event) => this.press(event));
    this.grid.addEventListener("pointerover", (event) => this.drag(event));
    const form = h(
      "form",
      { class: "card map-editor" },
      h("h2", {}, "New map"),
      h(
        "div",
        { class: "row" },
        h("label", {}, "Name", this.name),
        h("label", {}, "Size", this.dims),
        h("label", {}, "Paint", this.layer),
        this.paletteRow,
      ),
      h(
        "div",
        { class: "row" },
        imageField("Thumbnail URL", this.thumbnail, "Upload a thumbnail"),
        imageField("Floor image URL (optional)", this.floorImage, "Upload a floor image"),
      ),
      h("p", { class: "muted" }, "A floor image is stretched over the whole floor, its top-left corner on tile 0,0."),
      this.tools.el,
      h(
        "p",
        { class: "muted" },
        "Furniture: click a tile to place the element; click placed furniture to remove it. " +
          "Tile effects: click or drag to paint; drag a rectangle for a private area.",
      ),
      this.grid,
      this.summary,
      h("button", { type: "submit", class: "primary" }, "Save map"),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.save();
    });
    this.el = form;
    this.showLayer();
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

  private get painting(): Layer {
    return this.layer.value as Layer;
  }

  private showLayer() {
    this.paletteRow.hidden = this.painting !== "furniture";
    this.tools.el.hidden = this.painting !== "effects";
  }

  /** Builds the grid's cells for the current size; `shade` colours them. */
  private draw() {
    const { width, height } = parseDimensions(this.dims.value);
    if (!(width > 0 && height > 0 && width <= 100 && height <= 100)) {
      this.cells = [];
      this.grid.replaceChildren(h("p", { class: "muted" }, "The grid editor shows sizes up to 100x100."));
      return;
    }
    this.width = width;
    this.grid.style.gridTemplateColumns = `repeat(${width}, 1fr)`;
    this.cells = [];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        this.cells.push(h("button", { type: "button", class: "cell", "data-x": x, "data-y": y }));
      }
    }
    this.grid.replaceChildren(...this.cells);
    this.shade();
  }

  private shade() {
    const height = this.cells.length / (this.width || 1);
    const classes: string[][] = this.cells.map(() => []);
    const mark = (x: number, y: number, name: string) => {
      if (x >= 0 && y >= 0 && x < this.width && y < height) classes[y * this.width + x].push(name);
    };
    for (const item of this.placed) {
      const kind = this.elements.find((e) => e.id === item.elementId);
      if (!kind) continue;
      for (let dy = 0; dy < kind.height; dy++) {
        for (let dx = 0; dx < kind.width; dx++) mark(item.x + dx, item.y + dy, kind.static ? "solid" : "flat");
      }
    }
    const e = this.effects;
    e.impassable.forEach((p) => mark(p.x, p.y, "impassable"));
    e.quiet.forEach((p) => mark(p.x, p.y, "quiet"));
    e.spotlights.forEach((p) => mark(p.x, p.y, "spotlight"));
    e.portals.forEach((p) => mark(p.x, p.y, "portal"));
    e.spawns.forEach((p) => mark(p.x, p.y, "spawn"));
    this.cells.forEach((cell, i) => {
      const tile = { x: i % this.width, y: Math.floor(i / this.width) };
      const area = areaAt(e, tile);
      cell.className = ["cell", ...classes[i], area ? "area" : ""].join(" ").trim();
      const spawn = e.spawns.find((s) => sameTile(s, tile));
      cell.title = [area?.name, spawn?.name ? `spawn "${spawn.name}"` : ""].filter(Boolean).join(" · ");
    });
    this.summary.textContent = effectCount(e) ? `${effectCount(e)} tile effects` : "";
  }

  private tileOf(event: Event): Point | null {
    const cell = (event.target as HTMLElement).closest<HTMLElement>(".cell");
    if (!cell) return null;
    return { x: Number(cell.dataset.x), y: Number(cell.dataset.y) };
  }

  private click(event: MouseEvent) {
    const tile = this.tileOf(event);
    if (tile && this.painting === "furniture") this.toggleFurniture(tile);
  }

  private press(event: PointerEvent) {
    const tile = this.tileOf(event);
    if (!tile || event.button !== 0 || this.painting !== "effects") return;
    const paint = PaintStroke.begin(this.effects, this.tools.tool, this.tools.options, tile);
    if (!paint) {
      this.fail(new Error("Say where the portal leads first: a tile, or a space id."));
      return;
    }
    event.preventDefault(); // No text selection while dragging over the grid.
    this.stroke = { paint, last: tile };
    this.effects = paint.effects;
    this.shade();
  }

  private drag(event: PointerEvent) {
    // Released (maybe outside the grid): the stroke is over.
    if (!(event.buttons & 1)) this.stroke = null;
    const tile = this.tileOf(event);
    if (!this.stroke || !tile || sameTile(tile, this.stroke.last)) return;
    this.stroke.last = tile;
    this.effects = this.stroke.paint.to(tile);
    this.shade();
  }

  private toggleFurniture({ x, y }: Point) {
    const hit = this.placed.findIndex((p) => {
      const kind = this.elements.find((e) => e.id === p.elementId);
      return kind && x >= p.x && x < p.x + kind.width && y >= p.y && y < p.y + kind.height;
    });
    if (hit >= 0) this.placed.splice(hit, 1);
    else if (this.palette.value) this.placed.push({ elementId: this.palette.value, x, y });
    this.shade();
  }

  private async save() {
    try {
      await api.createMap({
        name: this.name.value.trim(),
        dimensions: this.dims.value.trim(),
        thumbnail: this.thumbnail.value.trim(),
        defaultElements: this.placed,
        ...(effectCount(this.effects) ? { effects: this.effects } : {}),
        ...(this.floorImage.value.trim() ? { floorImageUrl: this.floorImage.value.trim() } : {}),
      });
      this.placed = [];
      this.effects = emptyEffects();
      this.shade();
      this.done("Map saved. It is now offered when creating a space.");
      this.saved();
    } catch (e) {
      this.fail(e);
    }
  }
}
