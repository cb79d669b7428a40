// Name tags over heads, as DOM elements: crisp text and avatar badges for free, and a dot
// and a line for a status. Only the people nearest the camera get one, so a crowd does
// not flood the page.

import * as THREE from "three";
import { STATUS_COLORS, STATUS_NAMES, statusLine, type PersonStatus } from "./status";

const MAX_LABELS = 48;
/** Re-pick who gets a label every this many frames; positions update every frame. */
const REPICK_EVERY = 15;
const LABEL_HEIGHT = 1.55;

export interface Person {
  name: string;
  imageUrl: string | null;
  /** A speech bubble shown over the head until `bubbleUntil` (ms, performance.now()). */
  bubble?: string;
  bubbleUntil?: number;
}

export class Labels {
  private readonly pool: HTMLDivElement[] = [];
  private chosen: string[] = [];
  private frame = 0;
  private readonly point = new THREE.Vector3();

  constructor(private readonly layer: HTMLElement) {}

  update(
    camera: THREE.Camera,
    focus: THREE.Vector3,
    positions: Map<string, THREE.Vector3>,
    people: Map<string, Person>,
    statuses: Map<string, PersonStatus>,
    myId: string | null,
  ) {
    if (this.frame++ % REPICK_EVERY === 0) {
      this.chosen = [...positions.keys()]
        .sort((a, b) => positions.get(a)!.distanceToSquared(focus) - positions.get(b)!.distanceToSquared(focus))
        .slice(0, MAX_LABELS);
    }
    const now = performance.now();
    const width = this.layer.clientWidth;
    const height = this.layer.clientHeight;
    this.chosen.forEach((id, i) => {
      const label = this.label(i);
      const at = positions.get(id);
      if (!at) {
        label.style.display = "none";
        return;
      }
      this.point.set(at.x, LABEL_HEIGHT, at.z).project(camera);
      if (this.point.z > 1) {
        label.style.display = "none";
        return;
      }
      const person = people.get(id);
      const text = (person?.name ?? "…") + (id === myId ? " (you)" : "");
      const bubble = person?.bubble && (person.bubbleUntil ?? 0) > now ? person.bubble : "";
      const status = statuses.get(id);
      const statusKey = status ? `${status.status}:${status.text}` : "";
      if (
        label.dataset.text !== text ||
        label.dataset.image !== (person?.imageUrl ?? "") ||
        label.dataset.bubble !== bubble ||
        label.dataset.status !== statusKey
      ) {
        label.dataset.text = text;
        label.dataset.image = person?.imageUrl ?? "";
        label.dataset.bubble = bubble;
        label.dataset.status = statusKey;
        label.dataset.user = id;
        label.replaceChildren();
        if (bubble) {
          const speech = document.createElement("div");
          speech.className = "bubble";
          speech.textContent = bubble;
          label.append(speech);
        }
        if (person?.imageUrl) {
          const img = document.createElement("img");
          img.src = person.imageUrl;
          img.alt = "";
          label.append(img);
        }
        if (status) label.append(statusDot(status));
        label.append(text);
        const line = statusLine(status);
        if (line) {
          const under = document.createElement("div");
          under.className = "status-line";
          under.textContent = line;
          label.append(under);
        }
      }
      label.style.display = "";
      const x = ((this.point.x + 1) / 2) * width;
      const y = ((1 - this.point.y) / 2) * height;
      label.style.transform = `translate(-50%, -100%) translate(${x.toFixed(1)}px, ${y.toFixed(1)}px)`;
    });
    for (let i = this.chosen.length; i < this.pool.length; i++) this.pool[i].style.display = "none";
  }

  private label(i: number): HTMLDivElement {
    while (this.pool.length <= i) {
      const div = document.createElement("div");
      div.className = "name-label";
      this.layer.append(div);
      this.pool.push(div);
    }
    return this.pool[i];
  }
}

export function statusDot(status: PersonStatus): HTMLSpanElement {
  const dot = document.createElement("span");
  dot.className = "status-dot";
  dot.style.background = STATUS_COLORS[status.status];
  dot.title = STATUS_NAMES[status.status];
  return dot;
}
