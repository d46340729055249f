// Live regions: status changes are read out by screen readers. `announce` is polite (waits for a
// pause); `alert` interrupts (errors). Created once by the shell.

let politeRegion: HTMLElement | null = null;
let assertiveRegion: HTMLElement | null = null;

export function mountLiveRegions(parent: HTMLElement): void {
  politeRegion = document.createElement("div");
  politeRegion.id = "live-status";
  politeRegion.className = "visually-hidden";
  politeRegion.setAttribute("role", "status");
  politeRegion.setAttribute("aria-live", "polite");
  assertiveRegion = document.createElement("div");
  assertiveRegion.id = "live-alert";
  assertiveRegion.className = "visually-hidden";
  assertiveRegion.setAttribute("role", "alert");
  parent.append(politeRegion, assertiveRegion);
}

function speak(region: HTMLElement | null, message: string): void {
  if (!region) return;
  // Re-setting the same text is not announced again; clearing first makes repeats heard.
  region.textContent = "";
  window.setTimeout(() => {
    region.textContent = message;
  }, 30);
}

export const announce = (message: string): void => speak(politeRegion, message);
export const alertMessage = (message: string): void => speak(assertiveRegion, message);
