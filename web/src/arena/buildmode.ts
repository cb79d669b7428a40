// The arena's build mode, for builders, moderators and the owner: pick a tool, click or
// drag on the floor to paint tile effects (drag a rectangle for a private area), then save
// them whole with PUT /effects. While building, dragging paints instead of orbiting.

import { api } from "../api";
import { h } from "../dom";
import type { EffectsBody, Point } from "../generated/wire";
import { effectCount, sameTile } from "./effects";
import { PaintStroke } from "./painting";
import type { ArenaScene } from "./scene";
import { ToolPicker } from "./toolpicker";

export interface BuildModeOptions {
  spaceId: string;
  scene: () => ArenaScene | null;
  /** The effects the space has now (the server's). */
  saved: () => EffectsBody;
  report: (text: string) => void;
}

export class BuildMode {
  readonly toggle: HTMLButtonElement;
  readonly panel: HTMLElement;
  private readonly picker = new ToolPicker();
  private readonly summary = h("p", { class: "muted" });
  private active = false;
  private draft: EffectsBody | null = null;
  private stroke: { paint: PaintStroke; last: Point } | null = null;
  private canvas: HTMLCanvasElement | null = null;

  constructor(private readonly options: BuildModeOptions) {
    this.toggle = h(
      "button",
      { class: "link", hidden: true, "data-testid": "build-toggle", onclick: () => this.setActive(!this.active) },
      "Build",
    );
    this.panel = h(
      "aside",
      { class: "build card", hidden: true, "data-testid": "build" },
      h("h2", {}, "Build"),
      h("p", { class: "muted" }, "Click or drag on the floor to paint; drag a rectangle for a private area."),
      this.picker.el,
      this.summary,
      h(
        "div",
        { class: "row" },
        h("button", { class: "primary", "data-testid": "build-save", onclick: () => void this.save() }, "Save"),
        h("button", { class: "link", onclick: () => this.discard() }, "Discard changes"),
        h("button", { class: "link", onclick: () => this.setActive(false) }, "Done"),
      ),
    );
  }

  /** Shown only to those who may build (from `yourRole`). */
  setAllowed(allowed: boolean) {
    this.toggle.hidden = !allowed;
    if (!allowed) this.setActive(false);
  }

  get dirty(): boolean {
    return this.draft !== null && JSON.stringify(this.draft) !== JSON.stringify(this.options.saved());
  }

  /** Draws the draft while building, else the space's effects. Call after effects-changed. */
  redraw() {
    if (this.active && !this.dirty) this.draft = this.options.saved();
    this.options.scene()?.showEffects(this.active && this.draft ? this.draft : this.options.saved());
    this.summary.textContent = this.draft ? `${effectCount(this.draft)} effects${this.dirty ? ", not saved" : ""}` : "";
  }

  /** Leaving the page: unsaved changes go without asking (the page is going anyway). */
  dispose() {
    this.setActive(false, false);
  }

  private setActive(active: boolean, ask = true) {
    const drop = () => window.confirm("Leave build mode and drop unsaved changes?");
    if (!active && this.active && this.dirty && ask && !drop()) return;
    this.active = active;
    this.panel.hidden = !active;
    this.toggle.textContent = active ? "Stop building" : "Build";
    this.draft = active ? this.options.saved() : null;
    const scene = this.options.scene();
    scene?.setOrbit(!active);
    if (active && scene) this.listen(scene.canvas);
    else this.unlisten();
    this.redraw();
  }

  private discard() {
    this.draft = this.options.saved();
    this.redraw();
  }

  private async save() {
    if (!this.draft) return;
    try {
      await api.setEffects(this.options.spaceId, this.draft);
      this.options.report("Effects saved.");
    } catch (e) {
      this.options.report(e instanceof Error ? e.message : String(e));
    }
  }

  private listen(canvas: HTMLCanvasElement) {
    this.canvas = canvas;
    canvas.addEventListener("pointerdown", this.onDown);
    canvas.addEventListener("pointermove", this.onMove);
    window.addEventListener("pointerup", this.onUp);
  }

  private unlisten() {
    this.canvas?.removeEventListener("pointerdown", this.onDown);
    this.canvas?.removeEventListener("pointermove", this.onMove);
    window.removeEventListener("pointerup", this.onUp);
    this.canvas = null;
    this.stroke = null;
  }

  private tileOf(event: PointerEvent): Point | null {
    return this.options.scene()?.tileAt(event.clientX, event.clientY) ?? null;
  }

  private readonly onDown = (event: PointerEvent) => {
    if (event.button !== 0 || !this.draft) return;
    const tile = this.tileOf(event);
    if (!tile) return;
    const paint = PaintStroke.begin(this.draft, this.picker.tool, this.picker.options, tile);
    if (!paint) {
      this.options.report("Say where the portal leads first: a tile, or a space id.");
      return;
    }
    this.stroke = { paint, last: tile };
    this.show(paint.effects);
  };

  private readonly onMove = (event: PointerEvent) => {
    if (!this.stroke) return;
    const tile = this.tileOf(event);
    if (!tile || sameTile(tile, this.stroke.last)) return;
    this.stroke.last = tile;
    this.show(this.stroke.paint.to(tile));
  };

  private readonly onUp = () => {
    this.stroke = null;
  };

  private show(draft: EffectsBody) {
    this.draft = draft;
    this.redraw();
  }
}
