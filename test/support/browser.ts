// Headless Chromium for the web UI tests: Debian's chromium driven by playwright-core. Each launch
// gets a fresh temporary profile (Playwright makes one per launch and deletes it on close); each
// browser context is a separate, empty session (its own localStorage and cookies).
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { buildWeb } from "../../gateway/web/build.ts";

export const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const chromiumFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
export const screenshotDirectory = path.resolve("test-artifacts/screenshots");

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `No Chromium at ${chromiumPath}: install it with \`apt-get install -y chromium\` (.ci/run does) or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: chromiumFlags,
    timeout: 30_000,
  });
}

let built: Promise<unknown> | null = null;
/** Builds the UI once per test process (the gateway serves gateway/web/dist). */
export function ensureWebBuilt(): Promise<unknown> {
  built ??= buildWeb();
  return built;
}

/** A desktop-sized context; `viewer` sets the browser's own zone and locale (a viewer far from the venue). */
export async function newContext(
  browser: Browser,
  baseUrl: string,
  viewer: { timezoneId?: string; locale?: string } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width: 1280, height: 900 },
    ...viewer,
  });
  context.setDefaultTimeout(10_000);
  return context;
}

/** Collects uncaught page errors so a test can assert there were none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDirectory, { recursive: true });
  const file = path.join(screenshotDirectory, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Signs in through the sign-in page, as a user would. */
export async function signIn(page: Page, userId: string, next = "/"): Promise<void> {
  await page.goto(`/#/signin?next=${encodeURIComponent(next)}`);
  await page.getByLabel("User id").fill(userId);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("#signed-in-as").filter({ hasText: userId }).waitFor();
}

/** Waits until the element's text matches. */
export async function waitForText(
  page: Page,
  selector: string,
  pattern: RegExp,
  timeoutMs = 30_000, // a bound for "eventually" on a loaded CI machine, not a speed check
): Promise<void> {
  await page.waitForFunction(
    ({ selector, source, flags }) =>
      new RegExp(source, flags).test((globalThis as any).document.querySelector(selector)?.textContent ?? ""),
    { selector, source: pattern.source, flags: pattern.flags },
    { timeout: timeoutMs },
  );
}

/** The legend's count for one kind of seat. */
export async function legendCount(page: Page, kind: string): Promise<number> {
  const text = await page.locator(`.legend .count[data-kind="${kind}"]`).textContent();
  return Number((text ?? "").replace(/,/g, ""));
}

/** Where the seat map canvas shows a colour: the centre of the first cell of that colour, in CSS pixels. */
export async function findSeatOfColor(page: Page, color: string): Promise<{ x: number; y: number } | null> {
  return page.evaluate((hex) => {
    const canvas = (globalThis as any).document.querySelector("canvas.seat-map");
    const context = canvas.getContext("2d");
    const ratio = canvas.width / canvas.getBoundingClientRect().width;
    const { data, width, height } = context.getImageData(0, 0, canvas.width, canvas.height);
    const value = Number.parseInt(hex.slice(1), 16);
    const [r, g, b] = [(value >> 16) & 255, (value >> 8) & 255, value & 255];
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        const offset = (y * width + x) * 4;
        if (data[offset] === r && data[offset + 1] === g && data[offset + 2] === b) {
          // The first pixel of a cell's fill is its top-left corner: step a few pixels inside.
          return { x: x / ratio + 3, y: y / ratio + 3 };
        }
      }
    }
    return null;
  }, color);
}

/** The colour of the seat map canvas at a point (CSS pixels), as "#rrggbb". */
export async function colorAt(page: Page, point: { x: number; y: number }): Promise<string> {
  return page.evaluate(({ x, y }) => {
    const canvas = (globalThis as any).document.querySelector("canvas.seat-map");
    const ratio = canvas.width / canvas.getBoundingClientRect().width;
    const [r, g, b] = canvas
      .getContext("2d")
      .getImageData(Math.floor(x * ratio), Math.floor(y * ratio), 1, 1).data;
    return `#${[r, g, b].map((channel: number) => channel.toString(16).padStart(2, "0")).join("")}`;
  }, point);
}
