// A node's Moleculer id when NODE_ID is unset. Moleculer's own default is `<host name>-<pid>`, which
// would put the host's name into every place a node id shows (metrics labels among them); this one
// names the node's services and a random part instead (unique enough within a namespace).
import { randomBytes } from "node:crypto";

export const defaultNodeId = (services: readonly string[]): string =>
  `${services.join("+").replace(/[^A-Za-z0-9_+-]/g, "") || "node"}-${randomBytes(6).toString("hex")}`;
