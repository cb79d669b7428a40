// Client-side routes on the History API. The server answers every such path with the app.

export type Route =
  | { page: "auth" }
  | { page: "avatar" }
  | { page: "spaces" }
  | { page: "admin" }
  | { page: "account" }
  | { page: "space"; id: string }
  | { page: "space-settings"; id: string };

export function parseRoute(path: string): Route {
  const space = path.match(/^\/space\/([^/]+)\/?$/);
  if (space) return { page: "space", id: decodeURIComponent(space[1]) };
  const settings = path.match(/^\/space\/([^/]+)\/settings\/?$/);
  if (settings) return { page: "space-settings", id: decodeURIComponent(settings[1]) };
  switch (path.replace(/\/$/, "")) {
    case "/signin":
      return { page: "auth" };
    case "/avatar":
      return { page: "avatar" };
    case "/admin":
      return { page: "admin" };
    case "/account":
      return { page: "account" };
    default:
      return { page: "spaces" };
  }
}

let onChange: () => void = () => {};

export function startRouter(render: () => void) {
  onChange = render;
  window.addEventListener("popstate", render);
  document.addEventListener("click", (event) => {
    const link = (event.target as HTMLElement).closest("a");
    if (!link || link.target || link.origin !== location.origin || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    navigate(link.pathname + link.hash);
  });
  render();
}

/** Goes to `path`, which may end in a `#hash` (a space's spawn tile). */
export function navigate(path: string) {
  if (path !== location.pathname + location.hash) history.pushState(null, "", path);
  onChange();
}
