// The signed-in user, kept in localStorage so a reload stays signed in.

const TOKEN = "gather.token";
const USER = "gather.userId";
const NAME = "gather.username";

export const session = {
  token: () => localStorage.getItem(TOKEN),
  userId: () => localStorage.getItem(USER),
  username: () => localStorage.getItem(NAME),
  signedIn: () => localStorage.getItem(TOKEN) !== null,
  save(token: string, userId: string, username: string) {
    localStorage.setItem(TOKEN, token);
    localStorage.setItem(USER, userId);
    localStorage.setItem(NAME, username);
  },
  clear() {
    localStorage.removeItem(TOKEN);
    localStorage.removeItem(USER);
    localStorage.removeItem(NAME);
  },
};
