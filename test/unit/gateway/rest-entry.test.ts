import { expect } from "chai";
import { ServiceBroker, type Context, type Middleware } from "moleculer";
import { callRestDirectly } from "../../../gateway/rest-entry.ts";

describe("gateway: api.rest called without the action middlewares", () => {
  const wrapped: string[] = [];
  // Stands for every localAction middleware (metrics, bulkhead, timeout, tracking): it sees each call it wraps.
  const recorder: Middleware = {
    name: "recorder",
    localAction(next: (ctx: Context) => Promise<unknown>, action: { name: string }) {
      return (ctx: Context) => {
        wrapped.push(action.name);
        return next(ctx);
      };
    },
  } as unknown as Middleware;
  let broker: ServiceBroker;

  beforeEach(async () => {
    wrapped.length = 0;
    broker = new ServiceBroker({ logger: false, transporter: null, middlewares: [recorder] });
    broker.createService({
      name: "routed",
      actions: {
        echo: (ctx: Context<{ said: string }>) => ({ said: ctx.params.said, requestID: ctx.requestID }),
      },
    });
    broker.createService({
      name: "api",
      actions: {
        rest: {
          visibility: "private",
          async handler(ctx: Context<{ said: string }>) {
            const routed = (await ctx.call("routed.echo", { said: ctx.params.said })) as object;
            return { ...routed, service: ctx.service?.fullName, action: ctx.action?.name };
          },
        },
      },
      created() {
        callRestDirectly(this as never);
      },
    });
    await broker.start();
  });

  afterEach(() => broker.stop());

  it("runs the handler with a context of the api service, and the routed action through the chain", async () => {
    const api = broker.getLocalService("api") as unknown as {
      actions: { rest(params: unknown, options?: object): Promise<unknown> };
    };
    const answer = await api.actions.rest({ said: "hi" }, { requestID: "req-1" });
    expect(answer).to.deep.equal({ said: "hi", requestID: "req-1", service: "api", action: "api.rest" });
    expect(wrapped).to.deep.equal(["routed.echo"]);
  });

  it("refuses a service whose rest action Moleculer did not register where expected", () => {
    expect(() =>
      callRestDirectly({
        fullName: "api",
        broker,
        actions: {},
        _serviceSpecification: { actions: {} },
      } as never),
    ).to.throw(/api\.rest is not where/);
  });
});
