// For admins: bring in a map drawn in Tiled, as a .tmj/.json file with its tileset images
// (and external .tsj tilesets), or as one .zip holding them all. The server draws the floor
// image and says what it left out.

import { h, showError } from "../dom";
import { IMAGE_TYPES, showProgress } from "../dropzone";
import type { ImportMapResponse } from "../generated/wire";
import { uploads } from "../upload";

export class MapImport {
  readonly el: HTMLFormElement;
  private readonly map = h("input", {
    type: "file",
    name: "map",
    accept: ".tmj,.json,.zip,application/json,application/zip",
    required: true,
  });
  private readonly files = h("input", {
    type: "file",
    name: "tilesets",
    multiple: true,
    accept: `${IMAGE_TYPES},.tsj,.json,application/json`,
  });
  private readonly name = h("input", { name: "importName", maxlength: 100, placeholder: "The file's name" });
  private readonly bar = h("progress", { max: 1, hidden: true });
  private readonly error = h("p", { class: "error", role: "alert", hidden: true });
  private readonly result = h("div", { "data-testid": "import-result", hidden: true });
  private readonly submit = h("button", { type: "submit", class: "primary" }, "Import map");

  constructor(private readonly imported: (map: ImportMapResponse) => void) {
    this.el = h(
      "form",
      { class: "card map-import" },
      h("h2", {}, "Import a Tiled map"),
      h("label", {}, "Tiled map (.tmj, .json or .zip)", this.map),
      h("label", {}, "Tileset images and .tsj tilesets (not needed with a .zip)", this.files),
      h("label", {}, "Map name (optional)", this.name),
      this.bar,
      this.error,
      this.result,
      this.submit,
    );
    this.el.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.send();
    });
  }

  private async send() {
    const map = this.map.files?.[0];
    if (!map) return;
    showError(this.error, null);
    this.result.hidden = true;
    this.submit.disabled = true;
    this.bar.hidden = false;
    this.bar.removeAttribute("value");
    try {
      const name = this.name.value.trim();
      const done = await uploads.importMap(map, this.files.files ?? [], name, (f) => showProgress(this.bar, f));
      this.show(done);
      this.el.reset();
      this.imported(done);
    } catch (e) {
      showError(this.error, e);
    } finally {
      this.submit.disabled = false;
      this.bar.hidden = true;
    }
  }

  private show(done: ImportMapResponse) {
    const warnings = done.warnings.length
      ? [h("p", {}, "Warnings:"), h("ul", { class: "warnings" }, ...done.warnings.map((w) => h("li", {}, w)))]
      : [];
    this.result.replaceChildren(
      h("p", { class: "notice" }, `Map imported (${done.dimensions}). It is now offered when creating a space.`),
      ...warnings,
    );
    this.result.hidden = false;
  }
}
