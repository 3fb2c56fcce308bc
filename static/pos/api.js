// JSON API client: session cookie + CSRF header, a timeout, and one error type whose message is
// always a sentence a cashier can act on (never a stack trace or a raw status line).
import { format } from "./dom.js";

const TIMEOUT_MS = 20000;
const SESSION_CODES = new Set(["not_authenticated", "authentication_failed"]);

export class ApiError extends Error {
  /** kind: "network" | "session" | "server" | "request" */
  constructor(message, { status = 0, code = "", kind = "request" } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.kind = kind;
  }
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) return decodeURIComponent(match[1]);
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

export function createApi(messages) {
  async function request(method, url, body, { signal } = {}) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort("timeout"), TIMEOUT_MS);
    const onOuterAbort = () => controller.abort(signal.reason);
    if (signal) {
      if (signal.aborted) controller.abort(signal.reason);
      signal.addEventListener("abort", onOuterAbort, { once: true });
    }
    const headers = { Accept: "application/json" };
    if (method !== "GET") {
      headers["X-CSRFToken"] = csrfToken();
      headers["Content-Type"] = "application/json";
    }
    let response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
        signal: controller.signal,
        redirect: "manual",
      });
    } catch (error) {
      if (signal && signal.aborted) throw error; // the caller cancelled it: not a failure
      throw new ApiError(messages.network, { kind: "network" });
    } finally {
      clearTimeout(timer);
      if (signal) signal.removeEventListener("abort", onOuterAbort);
    }
    if (response.type === "opaqueredirect") {
      // The API never redirects; a redirect means something (a login wall) stands in between.
      throw new ApiError(messages.session, { kind: "session" });
    }
    let data = null;
    const type = response.headers.get("Content-Type") || "";
    if (type.includes("application/json")) {
      try {
        data = await response.json();
      } catch {
        data = null;
      }
    }
    if (response.ok) return { status: response.status, data };
    throw errorFor(response.status, data);
  }

  function errorFor(status, data) {
    const detail = data && typeof data.detail === "string" ? data.detail : "";
    const code = data && typeof data.code === "string" ? data.code : "";
    if (
      status === 401 ||
      (status === 403 && (SESSION_CODES.has(code) || detail.startsWith("CSRF Failed")))
    ) {
      return new ApiError(messages.session, { status, code, kind: "session" });
    }
    if (status >= 500 || !detail) {
      const template = status >= 500 ? messages.server : messages.failed;
      return new ApiError(format(template, { status }), {
        status,
        code,
        kind: status >= 500 ? "server" : "request",
      });
    }
    return new ApiError(detail, { status, code, kind: "request" });
  }

  return {
    get: (url, options) => request("GET", url, undefined, options),
    post: (url, body = {}) => request("POST", url, body),
    patch: (url, body) => request("PATCH", url, body),
    del: (url) => request("DELETE", url),
  };
}

/** A v4 UUID; crypto.randomUUID only exists on secure origins (https or localhost). */
export function newIdempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
