// Multipart uploads with progress. They go by XMLHttpRequest because fetch cannot say how much
// of a request body has been sent; answers and errors read as in api.ts.

import { errorFrom, unreachable } from "./api";
import type { AssetBody, ImportMapResponse } from "./generated/wire";
import { session } from "./session";

/** How much of the body has been sent, 0..1; null while the browser cannot tell. */
export type Progress = (fraction: number | null) => void;

export function sentFraction(loaded: number, total: number, lengthComputable: boolean): number | null {
  if (!lengthComputable || !(total > 0)) return null;
  return Math.min(1, Math.max(0, loaded / total));
}

/** The body of a finished request, or (thrown) the error the server named. */
export function answerOf<T>(status: number, text: string): T {
  let data: unknown = {};
  try {
    data = JSON.parse(text);
  } catch {
    // A proxy's HTML error page, or an empty body: the status alone has to do.
  }
  if (status < 200 || status >= 300) throw errorFrom(status, data);
  return data as T;
}

export function postForm<T>(path: string, body: FormData, progress?: Progress): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1${path}`);
    const token = session.token();
    if (token) xhr.setRequestHeader("authorization", `Bearer ${token}`);
    // No content-type: the browser writes the multipart boundary into it.
    xhr.upload.onprogress = (event) => progress?.(sentFraction(event.loaded, event.total, event.lengthComputable));
    xhr.onload = () => {
      try {
        resolve(answerOf<T>(xhr.status, xhr.responseText));
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    };
    xhr.onerror = () => reject(unreachable());
    xhr.send(body);
  });
}

export const uploads = {
  image(file: File, progress?: Progress) {
    const form = new FormData();
    form.append("file", file);
    return postForm<AssetBody>("/assets", form, progress);
  },
  /** `map` is a Tiled map (.tmj/.json) with the `files` it refers to, or one .zip holding all. */
  importMap(map: File, files: Iterable<File>, name: string, progress?: Progress) {
    const form = new FormData();
    form.append("map", map);
    // By file name, as the map refers to them.
    for (const file of files) form.append("file", file);
    if (name) form.append("name", name);
    return postForm<ImportMapResponse>("/admin/map/import", form, progress);
  },
};
