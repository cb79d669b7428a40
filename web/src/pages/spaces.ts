// Your spaces: open, copy an invite link, delete; create one from a map or blank.

import { api } from "../api";
import type { MapBody, SpaceSummaryBody } from "../generated/wire";
import { h, showError } from "../dom";
import { navigate } from "../router";
import { layout } from "./layout";

export function spacesPage(root: HTMLElement) {
  const list = h("ul", { class: "space-list" }, h("li", { class: "muted" }, "Loading…"));
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const name = h("input", { name: "name", required: true, maxlength: 100, value: "My space" });
  const source = h("select", { name: "source" }, h("option", { value: "" }, "Blank floor"));
  const dimensions = h("input", { name: "dimensions", value: "20x15", pattern: "\\d+x\\d+", title: "WIDTHxHEIGHT" });
  const dimsRow = h("label", {}, "Size (width x height)", dimensions);
  source.addEventListener("change", () => {
    dimsRow.hidden = source.value !== "";
  });
  const create = h(
    "form",
    { class: "card create" },
    h("h2", {}, "New space"),
    h("label", {}, "Name", name),
    h("label", {}, "Map", source),
    dimsRow,
    h("button", { type: "submit", class: "primary" }, "Create"),
  );
  create.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const from = source.value ? { mapId: source.value } : { dimensions: dimensions.value.trim() };
      const { spaceId } = await api.createSpace(name.value.trim(), from);
      navigate(`/space/${spaceId}`);
    } catch (e) {
      showError(error, e);
    }
  });
  layout(root, "Your spaces", error, h("div", { class: "columns" }, h("section", {}, list), create));

  const refresh = async () => {
    try {
      const [spaces, maps] = await Promise.all([api.mySpaces(), api.maps()]);
      showMaps(source, maps);
      dimsRow.hidden = source.value !== "";
      list.replaceChildren(...spaces.map((space) => spaceItem(space, refresh, error)));
      if (spaces.length === 0) list.append(h("li", { class: "muted" }, "No spaces yet. Create one →"));
    } catch (e) {
      showError(error, e);
    }
  };
  void refresh();
}

function showMaps(select: HTMLSelectElement, maps: MapBody[]) {
  for (const map of maps) {
    select.append(h("option", { value: map.id }, `${map.name} (${map.dimensions})`));
  }
  if (maps.length > 0) select.value = maps[0].id;
}

function spaceItem(space: SpaceSummaryBody, refresh: () => Promise<void>, error: HTMLElement) {
  const invite = `${location.origin}/space/${space.id}`;
  const copy = h("button", { class: "link" }, "Copy invite link");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(invite);
      copy.textContent = "Copied!";
    } catch {
      window.prompt("Copy this invite link:", invite);
    }
  });
  const remove = h("button", { class: "link danger" }, "Delete");
  remove.addEventListener("click", async () => {
    if (!window.confirm(`Delete "${space.name}"? People inside will be sent out.`)) return;
    try {
      await api.deleteSpace(space.id);
      await refresh();
    } catch (e) {
      showError(error, e);
    }
  });
  return h(
    "li",
    { class: "card space", "data-space": space.id },
    space.thumbnail ? h("img", { src: space.thumbnail, alt: "" }) : h("div", { class: "thumb" }),
    h(
      "div",
      {},
      h("a", { href: `/space/${space.id}`, class: "title" }, space.name),
      h("div", { class: "muted" }, space.dimensions),
    ),
    h(
      "div",
      { class: "actions" },
      copy,
      h("a", { href: `/space/${space.id}/settings`, class: "link" }, "Settings"),
      remove,
    ),
  );
}
