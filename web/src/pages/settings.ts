// A space's settings, for its owner and moderators: who may enter (access and password),
// members and their roles, bans, and (for the owner) the audit log of what was done.

import { api, type SpaceAccess, type SpaceRole } from "../api";
import { h, showError } from "../dom";
import type { AuditEntryBody, BanBody, MemberBody, SpaceSettingsResponse } from "../generated/wire";
import { isOwner } from "../roles";
import { layout } from "./layout";

const ACCESS: { value: SpaceAccess; label: string }[] = [
  { value: "public", label: "Anyone with the link" },
  { value: "members", label: "Members only" },
  { value: "password", label: "Anyone with the password" },
];
const MEMBER_ROLES: { value: SpaceRole; label: string }[] = [
  { value: "moderator", label: "Moderator" },
  { value: "builder", label: "Builder" },
  { value: "member", label: "Member" },
];

export function settingsPage(root: HTMLElement, spaceId: string) {
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const notice = h("p", { class: "notice", hidden: true });
  const body = h("div", { class: "settings" }, h("p", { class: "muted" }, "Loading…"));
  const main = layout(root, "Space settings", notice, error, body);
  const back = h("a", { href: `/space/${encodeURIComponent(spaceId)}` }, "← Back to the space");
  main.insertBefore(back, main.firstChild);

  const done = (text: string) => {
    showError(error, null);
    notice.textContent = text;
    notice.hidden = false;
    void refresh();
  };
  const fail = (e: unknown) => {
    notice.hidden = true;
    showError(error, e);
  };
  const refresh = async () => {
    try {
      const [space, settings] = await Promise.all([api.space(spaceId), api.spaceSettings(spaceId)]);
      main.querySelector("h1")!.textContent = `Settings of ${space.name}`;
      const owner = isOwner(settings.yourRole as SpaceRole);
      const audit = owner ? await api.audit(spaceId) : [];
      body.replaceChildren(
        h(
          "div",
          { class: "columns" },
          h("div", {}, membersCard(spaceId, settings, owner, done, fail), bansCard(spaceId, settings.bans, done, fail)),
          h("div", {}, accessCard(spaceId, settings, owner, done, fail)),
        ),
        owner ? auditCard(audit) : "",
      );
    } catch (e) {
      fail(e);
    }
  };
  void refresh();
}

type Done = (text: string) => void;
type Fail = (e: unknown) => void;

function accessCard(spaceId: string, settings: SpaceSettingsResponse, owner: boolean, done: Done, fail: Fail) {
  const access = h("select", { name: "access", disabled: !owner, "data-testid": "access" });
  for (const option of ACCESS) access.append(h("option", { value: option.value }, option.label));
  access.value = settings.access;
  const password = h("input", { name: "password", type: "password", autocomplete: "new-password" });
  const passwordRow = h("label", {}, "Password (replaces the old one)", password);
  const showPassword = () => (passwordRow.hidden = access.value !== "password");
  access.addEventListener("change", showPassword);
  showPassword();
  const form = h(
    "form",
    { class: "card" },
    h("h2", {}, "Who may enter"),
    h("label", {}, "Access", access),
    passwordRow,
    owner
      ? h("button", { type: "submit", class: "primary" }, "Save access")
      : h("p", { class: "muted" }, "Only the owner changes this."),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const chosen = access.value as SpaceAccess;
      if (chosen === "password" && settings.access !== "password" && !password.value) {
        throw new Error("Choose a password for the space.");
      }
      await api.setAccess(spaceId, chosen, chosen === "password" ? password.value : undefined);
      done("Access saved.");
    } catch (e) {
      fail(e);
    }
  });
  return form;
}

function membersCard(spaceId: string, settings: SpaceSettingsResponse, owner: boolean, done: Done, fail: Fail) {
  const set = async (username: string, role: SpaceRole | "none", text: string) => {
    try {
      await api.setMember(spaceId, username, role);
      done(text);
    } catch (e) {
      fail(e);
    }
  };
  const rows = settings.members.map((member: MemberBody) => {
    const role = roleSelect(member.role, !owner);
    role.addEventListener(
      "change",
      () => void set(member.username, role.value as SpaceRole, `${member.username} is now a ${role.value}.`),
    );
    return h(
      "li",
      { "data-user": member.userId },
      h("span", {}, member.username),
      role,
      owner
        ? h(
            "button",
            {
              class: "link danger",
              onclick: () => void set(member.username, "none", `${member.username} is no longer a member.`),
            },
            "Remove",
          )
        : "",
    );
  });
  const username = h("input", { name: "username", required: true, placeholder: "Username" });
  const role = roleSelect("member", false);
  const add = h("form", { class: "row" }, username, role, h("button", { type: "submit", class: "primary" }, "Add"));
  add.addEventListener("submit", (event) => {
    event.preventDefault();
    const name = username.value.trim();
    void set(name, role.value as SpaceRole, `${name} is now a ${role.value}.`);
  });
  return h(
    "section",
    { class: "card" },
    h("h2", {}, "Members"),
    rows.length
      ? h("ul", { class: "plain-list", "data-testid": "members" }, ...rows)
      : h("p", { class: "muted" }, "No members yet."),
    owner ? add : h("p", { class: "muted" }, "Only the owner changes members."),
  );
}

function roleSelect(current: string, disabled: boolean): HTMLSelectElement {
  const select = h("select", { "aria-label": "Role", disabled });
  for (const option of MEMBER_ROLES) select.append(h("option", { value: option.value }, option.label));
  select.value = current;
  return select;
}

function bansCard(spaceId: string, bans: BanBody[], done: Done, fail: Fail) {
  const rows = bans.map((ban) =>
    h(
      "li",
      { "data-user": ban.userId },
      h("span", {}, ban.username),
      h("span", { class: "muted" }, new Date(ban.at).toLocaleString()),
      h(
        "button",
        {
          class: "link",
          onclick: async () => {
            try {
              await api.unban(spaceId, ban.userId);
              done(`${ban.username} may come back.`);
            } catch (e) {
              fail(e);
            }
          },
        },
        "Unban",
      ),
    ),
  );
  return h(
    "section",
    { class: "card" },
    h("h2", {}, "Banned"),
    rows.length
      ? h("ul", { class: "plain-list", "data-testid": "bans" }, ...rows)
      : h("p", { class: "muted" }, "Nobody is banned."),
  );
}

function auditCard(entries: AuditEntryBody[]) {
  const rows = entries.map((entry) =>
    h(
      "li",
      {},
      h("span", { class: "muted" }, new Date(entry.at).toLocaleString()),
      h("span", {}, `${entry.actor}: ${entry.action}${entry.detail ? ` (${entry.detail})` : ""}`),
    ),
  );
  return h(
    "section",
    { class: "card audit" },
    h("h2", {}, "What was done"),
    rows.length
      ? h("ol", { class: "plain-list", "data-testid": "audit" }, ...rows)
      : h("p", { class: "muted" }, "Nothing yet."),
  );
}
