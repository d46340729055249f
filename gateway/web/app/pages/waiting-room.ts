// The waiting room (route #/events/:id/queue): the place in line and the estimated wait until it is
// this user's turn, then straight back to the seat map, where reserve sends the admission token. The
// parts live in waiting-room/.
import { h } from "../dom.ts";
import { eventPath, navigate, queuePath, signInPath } from "../router.ts";
import { currentUser } from "../session.ts";
import { recalledEvent } from "../store.ts";
import { MessageBox, focusHeading, link, type Cleanup } from "./common.ts";
import { QueueMembership } from "./waiting-room/membership.ts";
import { QueueStatusView } from "./waiting-room/status-view.ts";

export function waitingRoomPage(root: HTMLElement, eventId: string): Cleanup {
  if (!currentUser()) {
    navigate(signInPath(queuePath(eventId)));
    return () => {};
  }
  const recalled = recalledEvent(eventId);
  const message = new MessageBox("queue-message");
  const view = new QueueStatusView(recalled?.onSaleAt, recalled?.timeZone);
  const membership = new QueueMembership(eventId, view, message);
  root.replaceChildren(
    h("h1", {}, "Waiting room"),
    h("p", { class: "event-name" }, link(eventPath(eventId), recalled?.name ?? "Back to the event")),
    view.element,
    message.element,
    h(
      "p",
      { class: "hint" },
      "Your place is kept if you reload this page. Joining again from another tab keeps your first place.",
    ),
  );
  focusHeading(root);
  membership.start();
  return () => membership.stop();
}
