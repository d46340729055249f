// The web UI's entry: the page shell (header, navigation, live regions) and the hash router that
// swaps pages, each page cleaning up its timers and subscriptions when left.
import "./styles.css";
import { mountLiveRegions } from "./announce.ts";
import { h } from "./dom.ts";
import { parseRoute, navigate, type Route } from "./router.ts";
import { currentUser, onSessionChange, signOut } from "./session.ts";
import type { Cleanup } from "./pages/common.ts";
import { signInPage } from "./pages/signin.ts";
import { searchPage } from "./pages/search.ts";
import { eventPage } from "./pages/event.ts";
import { checkoutPage } from "./pages/checkout.ts";
import { waitingRoomPage } from "./pages/waiting-room.ts";
import { bookingPage, bookingsPage } from "./pages/bookings.ts";

const app = document.getElementById("app")!;
const userArea = h("div", { class: "user", id: "user-area" });
const main = h("main", { id: "main", tabindex: "-1" });
const navigation = h(
  "nav",
  { "aria-label": "Main" },
  h("a", { href: "#/", "data-nav": "search" }, "Find events"),
  h("a", { href: "#/bookings", "data-nav": "bookings" }, "My bookings"),
);
app.replaceChildren(
  h("a", { href: "#main", class: "skip-link" }, "Skip to content"),
  h(
    "header",
    { class: "site-header" },
    h("a", { href: "#/", class: "brand" }, "Marquee"),
    navigation,
    userArea,
  ),
  main,
);
mountLiveRegions(document.body);

// The skip link must not be taken for a route.
app.querySelector(".skip-link")!.addEventListener("click", (event) => {
  event.preventDefault();
  main.focus();
});

function renderUser(): void {
  const user = currentUser();
  if (!user) {
    userArea.replaceChildren(h("a", { href: "#/signin", id: "sign-in-link" }, "Sign in"));
    return;
  }
  const out = h("button", { type: "button", class: "link", id: "sign-out" }, "Sign out");
  out.addEventListener("click", () => {
    signOut();
    navigate("/signin");
  });
  userArea.replaceChildren(h("span", { id: "signed-in-as" }, `Signed in as ${user.id}`), " ", out);
}

let cleanup: Cleanup = () => {};

function pageFor(route: Route): Cleanup {
  switch (route.name) {
    case "search":
      return searchPage(main, route.query);
    case "signin":
      return signInPage(main, route.query);
    case "event":
      return eventPage(main, route.id);
    case "queue":
      return waitingRoomPage(main, route.id);
    case "checkout":
      return checkoutPage(main, route.id);
    case "bookings":
      return bookingsPage(main);
    case "booking":
      return bookingPage(main, route.id);
  }
}

function render(): void {
  cleanup();
  cleanup = () => {};
  const route = parseRoute(location.hash);
  for (const link of navigation.querySelectorAll("a")) {
    if (link.dataset.nav === route?.name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (!route) {
    main.replaceChildren(h("h1", {}, "Page not found"), h("p", {}, h("a", { href: "#/" }, "Find events")));
    document.title = "Not found · Marquee";
    return;
  }
  document.title = `${route.name === "search" ? "Find events" : route.name[0].toUpperCase() + route.name.slice(1)} · Marquee`;
  document.body.dataset.page = route.name;
  window.scrollTo(0, 0);
  cleanup = pageFor(route);
}

onSessionChange(renderUser);
window.addEventListener("hashchange", render);
// Another tab signing in or out changes what this one may do.
window.addEventListener("storage", (event) => {
  if (event.key === "marquee.token") renderUser();
});
renderUser();
render();
