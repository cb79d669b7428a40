// The 3D view of a space: floor and grid sized to the space (with its map's floor image, if
// any), furniture, tile effects, people, name tags, and a camera that follows you (drag to
// orbit, wheel to zoom).

import * as THREE from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";
import { Avatars } from "./avatars";
import { EffectsLayer } from "./effectslayer";
import { Floor } from "./floor";
import { Furniture } from "./furniture";
import { Labels, type Person } from "./labels";
import type { PersonStatus } from "./status";
import type { EffectsBody, Point, SpaceElementBody } from "../generated/wire";

export class ArenaScene {
  readonly avatars: Avatars;
  readonly furniture: Furniture;
  readonly effects: EffectsLayer;
  readonly floor: Floor;
  /** Mean frame time over the last second, in milliseconds. */
  frameMs = 0;
  /**
   * The arena's own JavaScript work of each frame drawn since the last `takeWork()`, in
   * milliseconds: frames applied since the previous frame, interpolation, instance and label
   * updates; not WebGL's rendering, which a software renderer makes slow for its own reasons.
   */
  private workLog: number[] = [];
  /** Work done for the next frame outside it (applying server frames), in milliseconds. */
  private pendingWork = 0;
  private readonly renderer: THREE.WebGLRenderer;
  private readonly scene = new THREE.Scene();
  private readonly camera = new THREE.PerspectiveCamera(50, 1, 0.1, 2000);
  private readonly controls: OrbitControls;
  private readonly labels: Labels;
  private readonly clock = new THREE.Clock();
  private readonly resize: ResizeObserver;
  private followId: string | null = null;
  private running = false;
  private frameTimes: number[] = [];
  private readonly raycaster = new THREE.Raycaster();
  private readonly floorPlane = new THREE.Plane(new THREE.Vector3(0, 1, 0), 0);

  constructor(
    private readonly host: HTMLElement,
    labelLayer: HTMLElement,
    private readonly width: number,
    private readonly height: number,
    private readonly people: Map<string, Person>,
    private readonly statuses: Map<string, PersonStatus>,
  ) {
    this.renderer = new THREE.WebGLRenderer({ antialias: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.host.append(this.renderer.domElement);
    this.scene.background = new THREE.Color(0xdfe7ef);
    this.scene.add(new THREE.HemisphereLight(0xffffff, 0x8899aa, 1.6));
    const sun = new THREE.DirectionalLight(0xffffff, 1.4);
    sun.position.set(width * 0.3, 30, height * 0.2);
    this.scene.add(sun);
    this.floor = new Floor(this.scene, width, height);

    this.camera.position.set(width / 2, 9, height / 2 + 9);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.target.set(width / 2, 0, height / 2);
    this.controls.enablePan = false;
    this.controls.minDistance = 3;
    this.controls.maxDistance = Math.max(40, Math.max(width, height) * 1.5);
    this.controls.maxPolarAngle = Math.PI * 0.47;
    this.controls.update();

    this.avatars = new Avatars(this.scene);
    this.furniture = new Furniture(this.scene);
    this.effects = new EffectsLayer(this.scene);
    this.labels = new Labels(labelLayer);
    this.resize = new ResizeObserver(() => this.fit());
    this.resize.observe(this.host);
    this.fit();
  }

  follow(id: string | null) {
    this.followId = id;
    const at = id ? this.avatars.shownPosition(id) : null;
    if (at) {
      // Jump the camera to its new subject, keeping the current viewing angle.
      const offset = this.camera.position.clone().sub(this.controls.target);
      this.controls.target.copy(at);
      this.camera.position.copy(at).add(offset);
    }
  }

  showElements(elements: Iterable<SpaceElementBody>) {
    this.furniture.show(elements);
  }

  showEffects(effects: EffectsBody) {
    this.effects.show(effects);
  }

  showFloorImage(url: string) {
    this.floor.showImage(url, this.renderer.capabilities.getMaxAnisotropy());
  }

  /** The canvas, for the build mode's pointer events. */
  get canvas(): HTMLCanvasElement {
    return this.renderer.domElement;
  }

  /** Dragging orbits the camera; the build mode turns that off to paint tiles instead. */
  setOrbit(enabled: boolean) {
    this.controls.enableRotate = enabled;
  }

  /** The floor tile under a point of the window, or null when it is off the floor. */
  tileAt(clientX: number, clientY: number): Point | null {
    const box = this.renderer.domElement.getBoundingClientRect();
    const ndc = new THREE.Vector2(
      ((clientX - box.left) / box.width) * 2 - 1,
      -((clientY - box.top) / box.height) * 2 + 1,
    );
    this.raycaster.setFromCamera(ndc, this.camera);
    const hit = this.raycaster.ray.intersectPlane(this.floorPlane, new THREE.Vector3());
    if (!hit) return null;
    const tile = { x: Math.floor(hit.x), y: Math.floor(hit.z) };
    return tile.x >= 0 && tile.y >= 0 && tile.x < this.width && tile.y < this.height ? tile : null;
  }

  /** Where the centre of tile `p` is drawn, in window coordinates (for browser tests). */
  screenOf(p: Point): { x: number; y: number } {
    const box = this.renderer.domElement.getBoundingClientRect();
    const at = new THREE.Vector3(p.x + 0.5, 0, p.y + 0.5).project(this.camera);
    return { x: box.left + ((at.x + 1) / 2) * box.width, y: box.top + ((1 - at.y) / 2) * box.height };
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.clock.start();
    this.renderer.setAnimationLoop(() => this.frame());
  }

  dispose() {
    this.running = false;
    this.renderer.setAnimationLoop(null);
    this.resize.disconnect();
    this.controls.dispose();
    this.avatars.dispose();
    this.furniture.dispose();
    this.effects.dispose();
    this.floor.dispose();
    this.renderer.dispose();
    this.renderer.domElement.remove();
  }

  private frame() {
    const started = performance.now();
    const dt = Math.min(this.clock.getDelta(), 0.1);
    this.avatars.update(dt);
    const me = this.followId ? this.avatars.shownPosition(this.followId) : null;
    if (me) {
      // Follow: shift target and camera together so the orbit the user chose is kept.
      const delta = me.clone().sub(this.controls.target);
      this.controls.target.add(delta);
      this.camera.position.add(delta);
    }
    this.controls.update();
    const rendering = performance.now();
    this.renderer.render(this.scene, this.camera);
    const rendered = performance.now();
    this.labels.update(this.camera, this.controls.target, this.positions(), this.people, this.statuses, this.followId);
    const ended = performance.now();
    this.recordWork(rendering - started + (ended - rendered));
    this.recordFrame(ended - started, dt);
  }

  /** Counts work done for the scene outside its frames (applying a server frame) towards the next one. */
  addWork(ms: number) {
    this.pendingWork += ms;
  }

  /** The own work of each frame since the last call, oldest first (see `workLog`). */
  takeWork(): number[] {
    const taken = this.workLog;
    this.workLog = [];
    return taken;
  }

  private recordWork(frameWorkMs: number) {
    this.workLog.push(frameWorkMs + this.pendingWork);
    this.pendingWork = 0;
    // Kept for a test or benchmark to take; a page nobody measures keeps the last minute or so.
    if (this.workLog.length > 4096) this.workLog.splice(0, this.workLog.length - 4096);
  }

  private positions(): Map<string, THREE.Vector3> {
    const map = new Map<string, THREE.Vector3>();
    for (const id of this.people.keys()) {
      const at = this.avatars.shownPosition(id);
      if (at) map.set(id, at);
    }
    return map;
  }

  private recordFrame(workMs: number, dt: number) {
    // Frame time as the browser paced it (dt), but never less than our own work.
    this.frameTimes.push(Math.max(workMs, dt * 1000));
    if (this.frameTimes.length > 60) this.frameTimes.shift();
    this.frameMs = this.frameTimes.reduce((a, b) => a + b, 0) / this.frameTimes.length;
  }

  private fit() {
    const width = this.host.clientWidth || 1;
    const height = this.host.clientHeight || 1;
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
  }
}
