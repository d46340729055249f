// The dispatcher: claims due deliveries and posts them, on every node that runs the webhooks service
// (claims skip rows another node is taking: FOR UPDATE SKIP LOCKED). A webhook (one receiver) has at
// most webhookDeliveriesPerReceiverMax attempts in flight per node, and a pass claims only for
// receivers with a free slot, so a slow or dead receiver holds its own slots and nobody else's. The
// booking path never waits for any of it: the outbox is written by triggers, read here.
import { performance } from "node:perf_hooks";
import type { Database } from "../platform/database.ts";
import type { WebhookSettings } from "../platform/webhook-config.ts";
import {
  webhookClaimLeaseMarginMs,
  webhookDeliveriesInFlightMax,
  webhookDeliveriesPerReceiverMax,
  webhookDeliveryRetentionMs,
  webhookDeliveryTimeoutMs,
  webhookRetryDelayMaxSeconds,
  webhookSweepIntervalMs,
} from "../domain/limits.ts";
import { retryDelaySeconds } from "../domain/webhooks.ts";
import {
  claimDue,
  listReceivers,
  oldestDueSeconds,
  recordAttempt,
  sweep,
  type ClaimedDelivery,
  type Receiver,
} from "./deliveries.repository.ts";
import type { WebhookMetrics } from "./metrics.ts";
import { WebhookPoster } from "./poster.ts";
import { createSecretSealer, openReceivers, type SecretSealer } from "./secret-sealing.ts";

export interface DispatcherOptions {
  db: Database;
  settings: WebhookSettings;
  metrics: WebhookMetrics | null;
  /** Unix time in ms, for signatures. */
  now: () => number;
  warn: (message: string, details?: Record<string, unknown>) => void;
  /** Attempt timeout (tests shorten it). */
  timeoutMs?: number;
}

const backlogCheckIntervalMs = 15_000;
const warnIntervalMs = 10_000;

export class WebhookDispatcher {
  private readonly inFlight = new Map<string, number>();
  private readonly attempts = new Set<Promise<void>>();
  private total = 0;
  private readonly poster: WebhookPoster;
  private readonly sealer: SecretSealer;
  private readonly timeoutMs: number;
  private timer: NodeJS.Timeout | null = null;
  private passing: Promise<void> | null = null;
  private stopped = true;
  /**
   * Receivers whose last claim filled every slot it asked for: more of theirs may be due, so a slot
   * freed on this node starts the next pass at once (a backlog drains at the receivers' pace, not
   * one poll interval at a time).
   */
  private readonly backlogged = new Set<string>();
  /** A pass was asked for while one was running: run another right after it. */
  private again = false;
  private rotation = 0;
  private lastSweep = 0;
  private lastBacklogCheck = 0;
  private lastWarning = -Infinity;
  private warningsSkipped = 0;

  constructor(private readonly options: DispatcherOptions) {
    this.timeoutMs = options.timeoutMs ?? webhookDeliveryTimeoutMs;
    this.sealer = createSecretSealer(options.settings.sealingSecret);
    this.poster = new WebhookPoster({
      timeoutMs: this.timeoutMs,
      checkAddresses: options.settings.checkTargets,
    });
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /**
   * Stops claiming and ends the attempts in flight; each settles before this resolves (an ended one
   * is not recorded: its lease runs out and another node, or this one restarted, attempts it again).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.passing?.catch(() => {});
    this.poster.close();
    await Promise.allSettled([...this.attempts]);
  }

  private schedule(delayMs: number): void {
    if (this.stopped || this.passing) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.passing = this.pass()
        .catch((error) => this.warnSometimes("webhook dispatcher pass failed", { error: String(error) }))
        .finally(() => {
          this.passing = null;
          const again = this.again;
          this.again = false;
          this.schedule(again ? 0 : this.options.settings.pollIntervalMs);
        });
    }, delayMs);
  }

  private async pass(): Promise<void> {
    const receivers = await openReceivers(
      this.options.db,
      this.sealer,
      await listReceivers(this.options.db),
      (webhookId) =>
        this.warnSometimes(
          "webhook secret does not open: its deliveries wait (was WEBHOOK_SEALING_SECRET changed?)",
          {
            webhookId,
          },
        ),
    );
    const { ids, slots } = this.freeSlots(receivers);
    const claimed = await claimDue(this.options.db, ids, slots, this.timeoutMs + webhookClaimLeaseMarginMs);
    const byId = new Map(receivers.map((receiver) => [receiver.id, receiver]));
    this.noteBacklogs(ids, slots, claimed, byId);
    for (const delivery of claimed) {
      const attempt = this.deliver(byId.get(delivery.webhookId)!, delivery);
      this.attempts.add(attempt);
      void attempt.finally(() => this.attempts.delete(attempt));
    }
    await this.housekeeping();
  }

  /** Slots per receiver this pass may fill: each receiver's free ones, within the node's total. */
  private freeSlots(receivers: Receiver[]): { ids: string[]; slots: number[] } {
    const ids: string[] = [];
    const slots: number[] = [];
    let left = webhookDeliveriesInFlightMax - this.total;
    // A rotating start: when the node's total is the bound, no receiver is always served first.
    this.rotation = (this.rotation + 1) % Math.max(receivers.length, 1);
    for (let i = 0; i < receivers.length && left > 0; i++) {
      const receiver = receivers[(i + this.rotation) % receivers.length];
      const free = Math.min(webhookDeliveriesPerReceiverMax - (this.inFlight.get(receiver.id) ?? 0), left);
      if (free <= 0) continue;
      ids.push(receiver.id);
      slots.push(free);
      left -= free;
    }
    return { ids, slots };
  }

  private noteBacklogs(
    ids: string[],
    slots: number[],
    claimed: ClaimedDelivery[],
    known: Map<string, Receiver>,
  ) {
    const got = new Map<string, number>();
    for (const delivery of claimed) got.set(delivery.webhookId, (got.get(delivery.webhookId) ?? 0) + 1);
    ids.forEach((id, i) => {
      if ((got.get(id) ?? 0) >= slots[i]) this.backlogged.add(id);
      else this.backlogged.delete(id);
    });
    for (const id of this.backlogged) if (!known.has(id)) this.backlogged.delete(id);
  }

  /** A slot was freed and some receiver may have more due: a pass now (or right after the running one). */
  private passSoon(): void {
    if (this.passing) this.again = true;
    else this.schedule(0);
  }

  private async deliver(receiver: Receiver, delivery: ClaimedDelivery): Promise<void> {
    this.track(receiver.id, +1);
    const started = performance.now();
    try {
      const body = JSON.stringify({
        id: delivery.eventId,
        type: delivery.type,
        createdAt: delivery.createdAt.toISOString(),
        data: delivery.data,
      });
      const result = await this.poster.post({
        url: receiver.url,
        secret: receiver.secret,
        body,
        eventId: delivery.eventId,
        nowSeconds: this.options.now() / 1_000,
      });
      if (this.stopped && !result.ok) return; // ended by the stop: the lease brings it back
      const outcome = await recordAttempt(this.options.db, delivery, {
        ...result,
        retryDelaySeconds: retryDelaySeconds(
          {
            baseSeconds: this.options.settings.retryBaseSeconds,
            maxDelaySeconds: webhookRetryDelayMaxSeconds,
          },
          delivery.attempts,
        ),
        retryWindowSeconds: this.options.settings.retryWindowSeconds,
      });
      this.options.metrics?.attempt(outcome ?? "stale", (performance.now() - started) / 1_000);
    } catch (error) {
      // The outcome could not be recorded (database down): the lease brings the delivery back.
      this.warnSometimes("webhook delivery not recorded", { webhookId: receiver.id, error: String(error) });
    } finally {
      this.track(receiver.id, -1);
      if (this.backlogged.size > 0) this.passSoon();
    }
  }

  private track(webhookId: string, change: number): void {
    const count = (this.inFlight.get(webhookId) ?? 0) + change;
    if (count > 0) this.inFlight.set(webhookId, count);
    else this.inFlight.delete(webhookId);
    this.total += change;
    this.options.metrics?.inFlight(this.total);
  }

  /** Now and then: the retention sweep and the backlog gauge. */
  private async housekeeping(): Promise<void> {
    const now = performance.now();
    if (now - this.lastBacklogCheck >= backlogCheckIntervalMs || this.lastBacklogCheck === 0) {
      this.lastBacklogCheck = now;
      this.options.metrics?.oldestDue(await oldestDueSeconds(this.options.db));
    }
    if (now - this.lastSweep >= webhookSweepIntervalMs || this.lastSweep === 0) {
      this.lastSweep = now;
      await sweep(this.options.db, webhookDeliveryRetentionMs, this.options.settings.retryWindowSeconds);
    }
  }

  /** A warning at most every warnIntervalMs (PostgreSQL down fails every pass), with how many were not logged. */
  private warnSometimes(message: string, details: Record<string, unknown>): void {
    const now = performance.now();
    if (now - this.lastWarning < warnIntervalMs) {
      this.warningsSkipped++;
      return;
    }
    this.options.warn(message, { ...details, notLoggedSinceLast: this.warningsSkipped });
    this.lastWarning = now;
    this.warningsSkipped = 0;
  }

  /** Attempts in flight on this node (tests). */
  get inFlightCount(): number {
    return this.total;
  }
}
