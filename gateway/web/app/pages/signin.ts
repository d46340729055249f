// Sign in as a development user through the dev token issuer (POST /auth/token).
import { api } from "../api.ts";
import { h, replaceChildren } from "../dom.ts";
import { navigate } from "../router.ts";
import { currentUser, signIn, signOut } from "../session.ts";
import { MessageBox, focusHeading, type Cleanup } from "./common.ts";

const userIdPattern = "[A-Za-z0-9_.@:\\-]{1,128}";

export function signInPage(root: HTMLElement, query: URLSearchParams): Cleanup {
  const next = query.get("next") || "/";
  const message = new MessageBox("signin-message");
  const user = currentUser();
  const input = h("input", {
    id: "user-id",
    name: "userId",
    required: true,
    pattern: userIdPattern,
    maxlength: 128,
    autocomplete: "username",
    value: user?.id ?? "",
    "aria-describedby": "user-id-help",
  });
  const button = h("button", { type: "submit", class: "primary" }, "Sign in");
  const form = h(
    "form",
    { class: "card narrow", "aria-labelledby": "signin-title", novalidate: true },
    h("label", { for: "user-id" }, "User id"),
    input,
    h(
      "p",
      { id: "user-id-help", class: "hint" },
      "Development sign-in: any name made of letters, digits and . _ @ : - gets a token from this server's dev token issuer.",
    ),
    button,
    message.element,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!input.checkValidity()) {
      message.show("A user id is 1 to 128 letters, digits or . _ @ : - (no spaces).", "error");
      input.focus();
      return;
    }
    button.disabled = true;
    try {
      const answer = await api<{ token: string }>("POST", "/auth/token", {
        body: { userId: input.value.trim(), role: "user" },
      });
      const signedIn = signIn(answer.data.token);
      message.show(`Signed in as ${signedIn.id}.`, "success");
      navigate(next);
    } catch (error) {
      message.error(error);
    } finally {
      button.disabled = false;
    }
  });
  replaceChildren(
    root,
    h("h1", { id: "signin-title" }, "Sign in"),
    user
      ? h(
          "p",
          {},
          `You are signed in as ${user.id}. `,
          h(
            "button",
            { type: "button", class: "link", onclick: () => (signOut(), navigate("/signin")) },
            "Sign out",
          ),
        )
      : null,
    form,
  );
  focusHeading(root);
  input.focus();
  return () => {};
}
