// A tiny element builder: h("button", {class: "primary", onclick}, "Save").

type Attrs = Record<string, string | number | boolean | EventListener | undefined>;
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) el.append(child);
  }
  return el;
}

/** Shows an error message in `box`, or clears it. */
export function showError(box: HTMLElement, error: unknown) {
  if (!error) box.textContent = "";
  else if (error instanceof Error) box.textContent = error.message;
  else box.textContent = typeof error === "string" ? error : "Something went wrong.";
  box.hidden = !error;
}
