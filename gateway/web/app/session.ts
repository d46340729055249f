// The signed-in user: a bearer token from the dev token issuer, kept in localStorage so it survives
// reloads and is shared by the tabs of one browser profile.

const tokenKey = "marquee.token";

export interface SessionUser {
  id: string;
  role: string;
  expiresAtMs: number;
}

type Listener = (user: SessionUser | null) => void;
const listeners = new Set<Listener>();

function decode(token: string): SessionUser | null {
  try {
    const payload = token.split(".")[1];
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const claims = JSON.parse(json) as { sub?: unknown; role?: unknown; exp?: unknown };
    if (typeof claims.sub !== "string" || typeof claims.exp !== "number") return null;
    return {
      id: claims.sub,
      role: typeof claims.role === "string" ? claims.role : "user",
      expiresAtMs: claims.exp * 1000,
    };
  } catch {
    return null;
  }
}

export function currentToken(): string | null {
  const token = localStorage.getItem(tokenKey);
  if (!token) return null;
  const user = decode(token);
  if (!user || user.expiresAtMs <= Date.now()) {
    localStorage.removeItem(tokenKey);
    return null;
  }
  return token;
}

export function currentUser(): SessionUser | null {
  const token = currentToken();
  return token ? decode(token) : null;
}

export function signIn(token: string): SessionUser {
  const user = decode(token);
  if (!user) throw new Error("The token issuer answered with a token that cannot be read");
  localStorage.setItem(tokenKey, token);
  for (const listener of listeners) listener(user);
  return user;
}

export function signOut(): void {
  localStorage.removeItem(tokenKey);
  for (const listener of listeners) listener(null);
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
