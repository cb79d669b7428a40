// The effect painter's tool and its settings (a spawn's name, a portal's target, a private
// area's name and rules), as a small form. Shared by the arena's build mode and the admin
// map editor, which both paint with ./painting.

import { h } from "../dom";
import { TOOLS, type Tool, type ToolOptions } from "./painting";

export class ToolPicker {
  readonly el: HTMLElement;
  private readonly select = h("select", { "aria-label": "Tool", "data-testid": "build-tool" });
  private readonly spawnName = h("input", { placeholder: "Name (optional)", maxlength: 64 });
  private readonly portalKind = h(
    "select",
    { "aria-label": "Portal leads to" },
    h("option", { value: "tile" }, "A tile of this space"),
    h("option", { value: "space" }, "Another space"),
  );
  private readonly toX = h("input", { type: "number", min: 0, value: 0 });
  private readonly toY = h("input", { type: "number", min: 0, value: 0 });
  private readonly spaceId = h("input", { placeholder: "Space id" });
  private readonly spaceSpawn = h("input", { placeholder: "Its spawn name (optional)" });
  private readonly areaName = h("input", { value: "Meeting room", maxlength: 64 });
  private readonly locked = h("input", { type: "checkbox" });
  private readonly maxOccupancy = h("input", { type: "number", min: 0, placeholder: "No limit" });
  private readonly parts: Partial<Record<Tool, HTMLElement>>;
  private readonly toTile: HTMLElement;
  private readonly toSpace: HTMLElement;

  constructor() {
    for (const { tool, label } of TOOLS) this.select.append(h("option", { value: tool }, label));
    this.toTile = h("div", { class: "row" }, h("label", {}, "Column", this.toX), h("label", {}, "Row", this.toY));
    this.toSpace = h(
      "div",
      {},
      h("label", {}, "Space id", this.spaceId),
      h("label", {}, "Arriving at spawn", this.spaceSpawn),
    );
    this.parts = {
      spawn: h("div", {}, h("label", {}, "Spawn name", this.spawnName)),
      portal: h("div", {}, h("label", {}, "Leads to", this.portalKind), this.toTile, this.toSpace),
      area: h(
        "div",
        {},
        h("label", {}, "Area name", this.areaName),
        h("label", { class: "check" }, this.locked, " Locked"),
        h("label", {}, "Most people inside", this.maxOccupancy),
      ),
    };
    this.select.addEventListener("change", () => this.showParts());
    this.portalKind.addEventListener("change", () => this.showParts());
    this.el = h("div", { class: "tool-picker" }, h("label", {}, "Tool", this.select), ...Object.values(this.parts));
    this.showParts();
  }

  get tool(): Tool {
    return this.select.value as Tool;
  }

  /** What the chosen tool puts down; a portal without a target yet has none. */
  get options(): ToolOptions {
    const options: ToolOptions = {
      spawnName: this.spawnName.value,
      area: {
        name: this.areaName.value,
        locked: this.locked.checked,
        maxOccupancy: this.maxOccupancy.value ? Number(this.maxOccupancy.value) : undefined,
      },
    };
    if (this.portalKind.value === "tile") {
      options.portal = { to: { x: Number(this.toX.value), y: Number(this.toY.value) } };
    } else if (this.spaceId.value.trim()) {
      const spawn = this.spaceSpawn.value.trim();
      options.portal = { spaceId: this.spaceId.value.trim(), ...(spawn ? { spawn } : {}) };
    }
    return options;
  }

  private showParts() {
    for (const [tool, part] of Object.entries(this.parts)) part.hidden = tool !== this.tool;
    this.toTile.hidden = this.portalKind.value !== "tile";
    this.toSpace.hidden = this.portalKind.value !== "space";
  }
}
