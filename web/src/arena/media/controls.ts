// The voice and video panel in the HUD: the join button (browsers allow media only after
// a click), then microphone, camera and screen toggles, device pickers, leave, and a line
// saying how the connection is doing or what went wrong.

import { h } from "../../dom";
import type { Devices } from "./capture";
import type { MediaPhase } from "./phase";

export interface ControlActions {
  join: () => void;
  leave: () => void;
  toggleMic: () => void;
  toggleCamera: () => void;
  toggleScreen: () => void;
  chooseMicrophone: (deviceId: string) => void;
  chooseCamera: (deviceId: string) => void;
}

export interface ControlsView {
  /** Asked the browser for devices, or in a session (any state but idle). */
  joined: boolean;
  /** Waiting for the browser's permission prompt. */
  asking: boolean;
  /** null: we have no microphone (refused or missing). */
  mic: boolean | null;
  camera: boolean;
  screen: boolean;
  status: string;
}

export class MediaControls {
  readonly el: HTMLElement;
  private readonly joinButton: HTMLButtonElement;
  private readonly micButton: HTMLButtonElement;
  private readonly cameraButton: HTMLButtonElement;
  private readonly screenButton: HTMLButtonElement;
  private readonly micSelect = h("select", { "data-testid": "media-mic-select" });
  private readonly cameraSelect = h("select", { "data-testid": "media-camera-select" });
  private readonly joinedPart: HTMLElement;
  private readonly status = h("p", { class: "media-status", "data-testid": "media-status" });
  private readonly problemBox = h("p", { class: "error", "data-testid": "media-problem", hidden: true });

  constructor(actions: ControlActions) {
    this.joinButton = h(
      "button",
      { class: "primary", "data-testid": "media-join", onclick: () => actions.join() },
      "Join audio / video",
    );
    this.micButton = toggle("media-mic", "Microphone", actions.toggleMic);
    this.cameraButton = toggle("media-camera", "Camera", actions.toggleCamera);
    this.screenButton = toggle("media-screen", "Share screen", actions.toggleScreen);
    this.micSelect.addEventListener("change", () => actions.chooseMicrophone(this.micSelect.value));
    this.cameraSelect.addEventListener("change", () => actions.chooseCamera(this.cameraSelect.value));
    const leave = h(
      "button",
      { class: "link danger", "data-testid": "media-leave", onclick: () => actions.leave() },
      "Leave audio / video",
    );
    this.joinedPart = h(
      "div",
      { class: "media-joined", hidden: true },
      h("div", { class: "media-toggles" }, this.micButton, this.cameraButton, this.screenButton),
      h("label", {}, "Microphone", this.micSelect),
      h("label", {}, "Camera", this.cameraSelect),
      leave,
    );
    this.el = h(
      "section",
      { class: "media-controls", "data-testid": "media", hidden: true },
      h("h3", {}, "Voice and video"),
      this.joinButton,
      this.joinedPart,
      this.status,
      this.problemBox,
    );
  }

  /** Hidden altogether when the server does not relay media. */
  setAvailable(available: boolean) {
    this.el.hidden = !available;
  }

  show(view: ControlsView) {
    this.joinButton.hidden = view.joined;
    this.joinButton.disabled = view.asking;
    this.joinButton.textContent = view.asking ? "Asking for your microphone and camera…" : "Join audio / video";
    this.joinedPart.hidden = !view.joined;
    setToggle(this.micButton, view.mic ?? false, view.mic === null);
    setToggle(this.cameraButton, view.camera, false);
    setToggle(this.screenButton, view.screen, false);
    this.status.textContent = view.status;
    this.status.hidden = view.status === "";
  }

  showDevices(devices: Devices, micDevice: string | null, cameraDevice: string | null) {
    fill(this.micSelect, devices.microphones, micDevice);
    fill(this.cameraSelect, devices.cameras, cameraDevice);
  }

  /** Shows what went wrong, in words for people; null clears it. */
  problem(text: string | null) {
    this.problemBox.textContent = text ?? "";
    this.problemBox.hidden = text === null;
  }
}

/** A toggle keeps its name; whether it is on is `aria-pressed` (and its colour). */
function toggle(testId: string, label: string, onclick: () => void): HTMLButtonElement {
  return h("button", { class: "media-toggle", "data-testid": testId, "aria-pressed": "false", onclick }, label);
}

function setToggle(button: HTMLButtonElement, on: boolean, disabled: boolean) {
  button.setAttribute("aria-pressed", String(on));
  button.disabled = disabled;
}

function fill(select: HTMLSelectElement, options: { id: string; label: string }[], chosen: string | null) {
  const same = select.options.length === options.length && options.every((o, i) => select.options[i].value === o.id);
  if (!same) select.replaceChildren(...options.map((o) => h("option", { value: o.id }, o.label)));
  if (chosen) select.value = chosen;
  select.disabled = options.length === 0;
}

/**
 * The status line under the controls. `have` is which devices we hold; `mutedByModerator`
 * says a moderator turned them off, which the line says instead until something is on again.
 */
export function mediaStatus(
  phase: MediaPhase,
  nearby: number,
  have: { mic: boolean; camera: boolean; mutedByModerator?: boolean },
): string {
  const only = have.mutedByModerator
    ? " · muted by a moderator"
    : !have.camera
      ? " · microphone only"
      : !have.mic
        ? " · camera only"
        : "";
  switch (phase.state) {
    case "idle":
      return "";
    case "starting":
      return (phase.attempt === 0 ? "Connecting…" : "Reconnecting…") + only;
    case "connected":
      if (nearby === 0) return `Connected${only}. Walk up to someone to talk.`;
      return `Connected with ${nearby} ${nearby === 1 ? "person" : "people"} nearby${only}`;
    case "failed":
      return phase.retryInMs === null ? "Stopped" : `Trying again in ${Math.ceil(phase.retryInMs / 1000)} s…`;
  }
}
