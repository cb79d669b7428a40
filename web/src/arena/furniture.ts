// Furniture as instanced boxes, one instanced mesh per kind of element: solid pieces are
// blocks, the rest lie flat on the floor. Each kind wears its image once it loads, and a
// colour of its own until then (or if it never does).

import * as THREE from "three";
import { colorForId } from "./colors";
import type { SpaceElementBody } from "../generated/wire";

const SOLID_HEIGHT = 0.9;
const FLAT_HEIGHT = 0.04;

export class Furniture {
  private readonly meshes: THREE.InstancedMesh[] = [];
  private readonly textures = new Map<string, Promise<THREE.Texture | null>>();
  private readonly geometry = new THREE.BoxGeometry(1, 1, 1);
  private readonly loader = new THREE.TextureLoader();

  constructor(private readonly scene: THREE.Scene) {}

  /** Replaces all furniture; changes are rare, so rebuilding keeps this simple. */
  show(elements: Iterable<SpaceElementBody>) {
    this.clear();
    const byKind = new Map<string, SpaceElementBody[]>();
    for (const placed of elements) {
      const list = byKind.get(placed.element.id) ?? [];
      list.push(placed);
      byKind.set(placed.element.id, list);
    }
    const matrix = new THREE.Matrix4();
    for (const [kindId, pieces] of byKind) {
      const kind = pieces[0].element;
      const material = new THREE.MeshLambertMaterial({ color: colorForId(kindId) });
      const mesh = new THREE.InstancedMesh(this.geometry, material, pieces.length);
      const height = kind.static ? SOLID_HEIGHT : FLAT_HEIGHT;
      pieces.forEach((p, i) => {
        matrix.makeScale(kind.width, height, kind.height);
        matrix.setPosition(p.x + kind.width / 2, height / 2, p.y + kind.height / 2);
        mesh.setMatrixAt(i, matrix);
      });
      this.meshes.push(mesh);
      this.scene.add(mesh);
      void this.texture(kind.imageUrl).then((texture) => {
        if (!texture || !this.meshes.includes(mesh)) return;
        material.map = texture;
        material.alphaTest = 0.1; // Transparent parts of the image are cut out, not black.
        material.color.set(0xffffff);
        material.needsUpdate = true;
      });
    }
  }

  count(): number {
    return this.meshes.reduce((sum, mesh) => sum + mesh.count, 0);
  }

  dispose() {
    this.clear();
    this.geometry.dispose();
  }

  private clear() {
    for (const mesh of this.meshes) {
      this.scene.remove(mesh);
      (mesh.material as THREE.Material).dispose();
      mesh.dispose();
    }
    this.meshes.length = 0;
  }

  private texture(url: string): Promise<THREE.Texture | null> {
    let pending = this.textures.get(url);
    if (!pending) {
      pending = this.loader
        .loadAsync(url)
        .then((texture) => {
          texture.colorSpace = THREE.SRGBColorSpace;
          return texture;
        })
        .catch(() => null);
      this.textures.set(url, pending);
    }
    return pending;
  }
}
