// Boots the app: picks the page for the current path, sends visitors who are not signed
// in to the sign-in page first, and remembers where they were going.

import "./styles.css";
import { parseRoute, startRouter, navigate } from "./router";
import { session } from "./session";
import { authPage } from "./pages/auth";
import { avatarPage } from "./pages/avatar";
import { spacesPage } from "./pages/spaces";
import { adminPage } from "./pages/admin";
import { arenaPage } from "./pages/arena";
import { accountPage } from "./pages/account";
import { settingsPage } from "./pages/settings";

export type Cleanup = () => void;

const root = document.getElementById("app")!;
let cleanup: Cleanup | void;

function render() {
  cleanup?.();
  cleanup = undefined;
  root.replaceChildren();
  if (location.pathname === "/") history.replaceState(null, "", "/spaces");
  const route = parseRoute(location.pathname);
  if (!session.signedIn() && route.page !== "auth") {
    sessionStorage.setItem("gather.next", location.pathname + location.hash);
    navigate("/signin");
    return;
  }
  switch (route.page) {
    case "auth":
      cleanup = authPage(root);
      break;
    case "avatar":
      cleanup = avatarPage(root);
      break;
    case "spaces":
      cleanup = spacesPage(root);
      break;
    case "admin":
      cleanup = adminPage(root);
      break;
    case "account":
      cleanup = accountPage(root);
      break;
    case "space":
      cleanup = arenaPage(root, route.id);
      break;
    case "space-settings":
      cleanup = settingsPage(root, route.id);
      break;
  }
}

startRouter(render);
