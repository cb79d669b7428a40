// For admins: the maps on offer when someone creates a space, imported ones included.

import { api } from "../api";
import { h } from "../dom";

export class MapList {
  readonly el: HTMLElement;
  private readonly list = h("ul", { class: "plain-list map-list", "data-testid": "map-list" });

  constructor() {
    this.el = h("section", { class: "card" }, h("h2", {}, "Maps"), this.list);
  }

  async refresh() {
    const maps = await api.maps();
    this.list.replaceChildren(
      ...maps.map((map) =>
        h(
          "li",
          { "data-map": map.id },
          map.thumbnail ? h("img", { src: map.thumbnail, alt: "" }) : h("span", { class: "thumb" }),
          h("span", { class: "title" }, map.name),
          h("span", { class: "muted" }, map.dimensions + (map.floorImageUrl ? " · floor image" : "")),
        ),
      ),
    );
    if (maps.length === 0) this.list.append(h("li", { class: "muted" }, "No maps yet."));
  }
}
