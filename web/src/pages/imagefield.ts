// An image URL field for the admin's forms: type a URL, or upload an image and the field
// takes the stored asset's URL.

import { h } from "../dom";
import { DropZone } from "../dropzone";

/** `input` labelled `label`, with a drop zone labelled `uploadLabel` (unique on the page). */
export function imageField(label: string, input: HTMLInputElement, uploadLabel: string): HTMLElement {
  const zone = new DropZone({
    label: uploadLabel,
    onUploaded: (asset) => {
      input.value = asset.url;
      // For anyone listening to the field, as if it had been typed.
      input.dispatchEvent(new Event("input", { bubbles: true }));
    },
  });
  return h("div", { class: "image-field" }, h("label", {}, label, input), zone.el);
}
