// The floor of a space and its grid lines: plain, or with the map's floor image (an imported
// Tiled map's tiles, drawn once by the server) laid over it, top-left corner on tile (0,0).

import * as THREE from "three";

const PLAIN = 0xf4efe6;
const GRID = 0xc9bfae;

export class Floor {
  /** The floor image's URL once it has loaded and is drawn; null before, or without one. */
  imageUrl: string | null = null;
  private readonly material = new THREE.MeshLambertMaterial({ color: PLAIN });
  private readonly gridMaterial = new THREE.LineBasicMaterial({ color: GRID });
  private readonly plane: THREE.PlaneGeometry;
  private readonly grid = new THREE.BufferGeometry();
  private texture: THREE.Texture | null = null;
  private disposed = false;

  constructor(scene: THREE.Scene, width: number, height: number) {
    // The plane lies in x/y with its top edge at v = 1; turned flat, that edge is z = 0, so a
    // texture (flipped on load, image top at v = 1) puts the image's top row on row 0.
    this.plane = new THREE.PlaneGeometry(width, height);
    const floor = new THREE.Mesh(this.plane, this.material);
    floor.rotation.x = -Math.PI / 2;
    floor.position.set(width / 2, 0, height / 2);
    scene.add(floor);

    const points: number[] = [];
    for (let x = 0; x <= width; x++) points.push(x, 0.01, 0, x, 0.01, height);
    for (let z = 0; z <= height; z++) points.push(0, 0.01, z, width, 0.01, z);
    this.grid.setAttribute("position", new THREE.Float32BufferAttribute(points, 3));
    scene.add(new THREE.LineSegments(this.grid, this.gridMaterial));
  }

  /** Loads `url` and draws it on the floor; until then, or if it fails, the floor stays plain. */
  showImage(url: string, maxAnisotropy: number) {
    new THREE.TextureLoader().load(
      url,
      (texture) => {
        if (this.disposed) {
          texture.dispose();
          return;
        }
        texture.colorSpace = THREE.SRGBColorSpace;
        // Pixel art stays crisp up close; mipmaps keep it from shimmering far off.
        texture.magFilter = THREE.NearestFilter;
        texture.anisotropy = maxAnisotropy;
        this.texture = texture;
        this.material.map = texture;
        // The material's colour tints the map: white shows the image as it is.
        this.material.color.set(0xffffff);
        this.material.needsUpdate = true;
        // Fainter lines, so the grid helps without hiding the picture.
        this.gridMaterial.transparent = true;
        this.gridMaterial.opacity = 0.35;
        this.gridMaterial.needsUpdate = true;
        this.imageUrl = url;
      },
      undefined,
      () => console.warn(`The floor image ${url} did not load; the floor stays plain.`),
    );
  }

  dispose() {
    this.disposed = true;
    this.texture?.dispose();
    this.material.dispose();
    this.gridMaterial.dispose();
    this.plane.dispose();
    this.grid.dispose();
  }
}
