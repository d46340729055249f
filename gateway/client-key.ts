// Who a request counts against, for the rate limit and the caps on live connections: the user of a
// valid token, else the client's address (its bucket: a whole IPv6 /64 counts as one client). A token
// that is sent but not valid counts as its address (the route then refuses it where one is needed).
import type { IncomingMessage } from "node:http";
import type { User } from "../domain/request.ts";
import { addressBucket, clientAddress } from "./client-address.ts";

export type ClientOf = (request: IncomingMessage) => Promise<string>;

export const userClientKey = (userId: string): string => `user:${userId}`;

export function clientOf(
  identify: (request: IncomingMessage) => Promise<User | null>,
  trustedProxies: Set<string>,
): ClientOf {
  return async (request) => {
    const user = await identify(request).catch(() => null);
    return user ? userClientKey(user.id) : `address:${addressBucket(clientAddress(request, trustedProxies))}`;
  };
}
