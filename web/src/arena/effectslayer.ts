// A space's tile effects drawn on the floor: one instanced mesh per kind of tile effect
// (walls, spotlights, portals, quiet and spawn tiles), so thousands of tiles cost a few
// draw calls; private areas, which are few, as tinted rectangles with their name.

import * as THREE from "three";
import type { AreaBody, EffectsBody, Point } from "../generated/wire";

const WALL_HEIGHT = 0.22;
const PORTAL_TO_SPACE = 0x8e44ad;
const PORTAL_TO_TILE = 0x16a085;

export class EffectsLayer {
  private readonly group = new THREE.Group();
  private readonly owned: { dispose(): void }[] = [];
  private readonly shapes = {
    wall: new THREE.BoxGeometry(1, WALL_HEIGHT, 1),
    tile: new THREE.PlaneGeometry(1, 1).rotateX(-Math.PI / 2),
    disc: new THREE.CircleGeometry(0.42, 24).rotateX(-Math.PI / 2),
    ring: new THREE.RingGeometry(0.28, 0.44, 32).rotateX(-Math.PI / 2),
    marker: new THREE.RingGeometry(0.14, 0.22, 16).rotateX(-Math.PI / 2),
  };

  constructor(scene: THREE.Scene) {
    scene.add(this.group);
  }

  /** Replaces what is drawn; effects change rarely (an edit, a save), so a rebuild is fine. */
  show(effects: EffectsBody) {
    this.clear();
    const flat = (opacity: number) => ({ transparent: opacity < 1, opacity, depthWrite: false });
    this.tiles(effects.quiet, this.shapes.tile, new THREE.MeshBasicMaterial({ color: 0x3f6fc4, ...flat(0.22) }), 0.006);
    for (const area of effects.areas) this.area(area);
    this.tiles(
      effects.spawns,
      this.shapes.marker,
      new THREE.MeshBasicMaterial({ color: 0x27ae60, ...flat(0.55) }),
      0.014,
    );
    this.tiles(
      effects.spotlights,
      this.shapes.disc,
      new THREE.MeshBasicMaterial({ color: 0xffe066, ...flat(0.95) }),
      0.016,
    );
    const portals = this.tiles(
      effects.portals,
      this.shapes.ring,
      new THREE.MeshBasicMaterial({ color: 0xffffff }),
      0.02,
    );
    effects.portals.forEach((portal, i) =>
      portals?.setColorAt(i, new THREE.Color(portal.spaceId ? PORTAL_TO_SPACE : PORTAL_TO_TILE)),
    );
    this.tiles(
      effects.impassable,
      this.shapes.wall,
      new THREE.MeshLambertMaterial({ color: 0x4a5561 }),
      WALL_HEIGHT / 2,
    );
  }

  dispose() {
    this.clear();
    for (const shape of Object.values(this.shapes)) shape.dispose();
    this.group.removeFromParent();
  }

  private tiles(points: Point[], shape: THREE.BufferGeometry, material: THREE.Material, y: number) {
    this.owned.push(material);
    if (points.length === 0) return null;
    const mesh = new THREE.InstancedMesh(shape, material, points.length);
    const matrix = new THREE.Matrix4();
    points.forEach((p, i) => mesh.setMatrixAt(i, matrix.makeTranslation(p.x + 0.5, y, p.y + 0.5)));
    mesh.renderOrder = 1; // Drawn after the floor, so the transparent tints blend over it.
    this.group.add(mesh);
    this.owned.push(mesh);
    return mesh;
  }

  private area(area: AreaBody) {
    const color = area.locked ? 0xd35400 : 0x2e86de;
    const material = new THREE.MeshBasicMaterial({ color, transparent: true, opacity: 0.16, depthWrite: false });
    const floor = new THREE.Mesh(this.shapes.tile, material);
    floor.scale.set(area.width, 1, area.height);
    floor.position.set(area.x + area.width / 2, 0.01, area.y + area.height / 2);
    floor.renderOrder = 1;
    const edges = new THREE.EdgesGeometry(new THREE.PlaneGeometry(area.width, area.height).rotateX(-Math.PI / 2));
    const lineMaterial = new THREE.LineBasicMaterial({ color });
    const outline = new THREE.LineSegments(edges, lineMaterial);
    outline.position.set(floor.position.x, 0.012, floor.position.z);
    const name = nameSprite(area.name + (area.locked ? " (locked)" : ""), color);
    name.position.set(floor.position.x, 0.9, area.y + 0.2);
    this.group.add(floor, outline, name);
    this.owned.push(material, edges, lineMaterial, name.material.map!, name.material);
  }

  private clear() {
    this.group.clear();
    for (const thing of this.owned) thing.dispose();
    this.owned.length = 0;
  }
}

/** A name drawn once to a small canvas, shown as a sprite that always faces the camera. */
function nameSprite(text: string, color: number): THREE.Sprite {
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d")!;
  const font = "600 40px system-ui, sans-serif";
  context.font = font;
  canvas.width = Math.ceil(context.measureText(text).width) + 32;
  canvas.height = 60;
  context.font = font; // Resizing the canvas reset it.
  context.fillStyle = "rgba(255, 255, 255, 0.85)";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = `#${color.toString(16).padStart(6, "0")}`;
  context.textBaseline = "middle";
  context.fillText(text, 16, canvas.height / 2);
  const texture = new THREE.CanvasTexture(canvas);
  texture.colorSpace = THREE.SRGBColorSpace;
  const sprite = new THREE.Sprite(new THREE.SpriteMaterial({ map: texture, depthWrite: false }));
  sprite.scale.set((canvas.width / canvas.height) * 0.45, 0.45, 1);
  return sprite;
}
