// Sign in and sign up. A new account signs in at once and goes on to pick an avatar.

import { api } from "../api";
import { h, showError } from "../dom";
import { navigate } from "../router";
import { session } from "../session";

export function authPage(root: HTMLElement) {
  let mode: "signin" | "signup" = "signin";
  const username = h("input", { name: "username", autocomplete: "username", required: true, maxlength: 64 });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const admin = h("input", { type: "checkbox", name: "admin" });
  const adminRow = h("label", { class: "check", hidden: true }, admin, " Create as admin");
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const submit = h("button", { type: "submit", class: "primary" }, "Sign in");
  const toggle = h("button", { type: "button", class: "link" }, "New here? Create an account");

  const setMode = (next: typeof mode) => {
    mode = next;
    submit.textContent = mode === "signin" ? "Sign in" : "Create account";
    toggle.textContent = mode === "signin" ? "New here? Create an account" : "Have an account? Sign in";
    adminRow.hidden = mode === "signin";
    password.autocomplete = mode === "signin" ? "current-password" : "new-password";
    showError(error, null);
  };
  toggle.addEventListener("click", () => setMode(mode === "signin" ? "signup" : "signin"));

  const form = h(
    "form",
    { class: "card auth" },
    h("h1", {}, "Gather"),
    h("p", { class: "muted" }, "Walk around shared spaces with your team."),
    h("label", {}, "Username", username),
    h("label", {}, "Password", password),
    adminRow,
    error,
    submit,
    toggle,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const name = username.value.trim();
      if (mode === "signup") await api.signup(name, password.value, admin.checked ? "admin" : "user");
      const { token, userId } = await api.signin(name, password.value);
      session.save(token, userId, name);
      if (mode === "signup") {
        navigate("/avatar"); // The avatar page goes on to wherever the visitor was headed.
        return;
      }
      const next = sessionStorage.getItem("gather.next");
      sessionStorage.removeItem("gather.next");
      navigate(next && next !== "/signin" ? next : "/spaces");
    } catch (e) {
      showError(error, e);
    } finally {
      submit.disabled = false;
    }
  });
  root.append(h("div", { class: "center" }, form));
  username.focus();
}
