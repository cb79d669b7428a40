// A place for one image: click to pick a file, or drop one on it. It uploads with a progress
// bar, shows a refusal in the server's words, and hands back the stored asset.

import { h, showError } from "./dom";
import type { AssetBody } from "./generated/wire";
import { uploads } from "./upload";

/** What the server takes; it sniffs the bytes itself, so this only steers the file picker. */
export const IMAGE_TYPES = "image/png,image/jpeg,image/webp,image/gif";
/** The server's limit for one upload. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

export interface DropZoneOptions {
  /** The picker's label, e.g. "Upload an avatar image"; unique on its page. */
  label: string;
  /** Runs after the upload; what it throws shows in the zone like an upload error. */
  onUploaded: (asset: AssetBody, file: File) => void | Promise<void>;
}

/** Why `file` is not worth sending, or null. The server still has the last word. */
export function refusal(file: { size: number }, maxBytes = MAX_IMAGE_BYTES): string | null {
  if (file.size === 0) return "That file is empty.";
  if (file.size > maxBytes) return `That file is over ${Math.round(maxBytes / 1024 / 1024)} MiB.`;
  return null;
}

export class DropZone {
  readonly el: HTMLElement;
  private readonly input = h("input", { type: "file", accept: IMAGE_TYPES, class: "visually-hidden" });
  private readonly bar = h("progress", { max: 1, hidden: true });
  private readonly error = h("p", { class: "error", role: "alert", hidden: true });
  private busy = false;

  constructor(private readonly options: DropZoneOptions) {
    this.el = h(
      "div",
      { class: "dropzone" },
      h("label", { class: "dropzone-pick" }, options.label, this.input),
      h("span", { class: "muted" }, "or drop an image here"),
      this.bar,
      this.error,
    );
    this.input.addEventListener("change", () => {
      const file = this.input.files?.[0];
      // Cleared so that picking the same file again still counts as a change.
      this.input.value = "";
      if (file) void this.take(file);
    });
    this.el.addEventListener("dragover", (event) => {
      // Without this the browser opens a dropped file instead of handing it to us.
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
      this.el.classList.add("over");
    });
    this.el.addEventListener("dragleave", () => this.el.classList.remove("over"));
    this.el.addEventListener("drop", (event) => {
      event.preventDefault();
      this.el.classList.remove("over");
      const file = event.dataTransfer?.files[0];
      if (file) void this.take(file);
    });
  }

  private async take(file: File) {
    if (this.busy) return;
    const refused = refusal(file);
    showError(this.error, refused);
    if (refused) return;
    this.busy = true;
    this.input.disabled = true;
    this.bar.hidden = false;
    this.bar.removeAttribute("value");
    try {
      const asset = await uploads.image(file, (fraction) => showProgress(this.bar, fraction));
      await this.options.onUploaded(asset, file);
    } catch (e) {
      showError(this.error, e);
    } finally {
      this.busy = false;
      this.input.disabled = false;
      this.bar.hidden = true;
    }
  }
}

/** Shows how much is sent; once all of it is, the server is still at work, so no amount. */
export function showProgress(bar: HTMLProgressElement, fraction: number | null) {
  // A <progress> without a value is the browser's "working, amount unknown".
  if (fraction === null || fraction >= 1) bar.removeAttribute("value");
  else bar.value = fraction;
}
