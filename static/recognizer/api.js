// The predictions and numbers APIs: JSON over fetch, with the CSRF header, a timeout,
// and every failure turned into an ApiError carrying a message fit to show.

import { gettext, interpolate } from "./i18n.js";

const TIMEOUT_MS = 15000;

const MESSAGES = {
  network: gettext("Can't reach the server. Check your connection and try again."),
  timeout: gettext("The server is taking too long to answer. Try again."),
  403: gettext("Your session has expired. Reload the page and try again."),
  404: gettext("That drawing is no longer on the server."),
  413: gettext("That drawing is too large to send."),
  429: gettext("Too many requests, wait a moment and try again."),
  503: gettext("The recognizer is not available right now. Try again shortly."),
  default: gettext("Something went wrong. Try again."),
};

export class ApiError extends Error {
  constructor(message, status, retryAfter = null) {
    super(message);
    this.name = "ApiError";
    this.status = status; // 0 when the server was not reached
    this.retryAfter = retryAfter; // the Retry-After header of a 429 or 503, for status.js's countdown
  }
}

/** The CSRF token: Django's cookie when readable, else the template's hidden input. */
function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) return decodeURIComponent(match[1]);
  return document.querySelector("input[name=csrfmiddlewaretoken]")?.value ?? "";
}

function sentence(text) {
  const trimmed = String(text).trim();
  if (!trimmed) return "";
  const capital = trimmed[0].toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** The message to show for a failed response: ours for the statuses we know, else the server's. */
function messageFor(status, body) {
  if (status === 429 || status === 403) return MESSAGES[status];
  const serverText = body?.error ?? body?.detail;
  if (typeof serverText === "string" && serverText.trim()) return sentence(serverText);
  return MESSAGES[status] ?? `${MESSAGES.default} ${interpolate(gettext("(error %(status)s)"), { status })}`;
}

/**
 * The body of an image upload: a drawing (a PNG data URL) as JSON, an image file (upload, paste, drop)
 * as it is, in a multipart form, so the server sees the very bytes and applies its limits to them.
 */
function imageBody(image, fields = {}) {
  if (!(image instanceof Blob)) return { image, ...fields };
  const form = new FormData();
  form.append("image", image, image.name || "image");
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return form;
}

async function request(method, url, { body, signal } = {}) {
  const multipart = body instanceof FormData; // the browser sets its Content-Type with the boundary
  // Our own controller joins the caller's signal (a newer request replaces
  // this one) with a timeout, so the two can be told apart afterwards.
  const controller = new AbortController();
  const forward = () => controller.abort();
  signal?.addEventListener("abort", forward, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, TIMEOUT_MS);

  try {
    let response;
    try {
      response = await fetch(url, {
        method,
        credentials: "same-origin",
        headers: {
          Accept: "application/json",
          ...(body === undefined || multipart ? {} : { "Content-Type": "application/json" }),
          ...(method === "GET" ? {} : { "X-CSRFToken": csrfToken() }),
        },
        body: body === undefined || multipart ? body : JSON.stringify(body),
        signal: controller.signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error; // the caller cancelled: not a failure to report
      throw new ApiError(timedOut ? MESSAGES.timeout : MESSAGES.network, 0);
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      // not JSON (a proxy's error page, an empty body): handled below
    }
    if (!response.ok) {
      throw new ApiError(messageFor(response.status, data), response.status, response.headers.get("Retry-After"));
    }
    if (response.status === 204) return null; // deleted: no body to read
    if (data === null) throw new ApiError(MESSAGES.default, response.status);
    return data;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", forward);
  }
}

/** @param {string} root e.g. "/api/predictions/" */
export function createApi(root) {
  const base = root.endsWith("/") ? root : `${root}/`;
  const item = (id) => `${base}${encodeURIComponent(id)}/`;
  return {
    /** POST a drawing (PNG data URL) or an image file; resolves to the stored prediction, with its delete_token. */
    predict: (image, { signal } = {}) =>
      request("POST", base, { body: imageBody(image, { source: "page" }), signal }),
    /** The same answer without storing anything (no id): for live answers while drawing. */
    preview: (image, { signal } = {}) => request("POST", `${base}preview/`, { body: imageBody(image), signal }),
    /** DELETE a stored drawing with the token its creation answer gave. */
    remove: (id, token) => request("DELETE", item(id), { body: { delete_token: token } }),
    /** GET one stored prediction. */
    get: (id, { signal } = {}) => request("GET", item(id), { signal }),
    /** Tell the server what the drawing really was: `{label: 4}` or `{not_a_digit: true}`. */
    feedback: (id, correction) => request("POST", `${item(id)}feedback/`, { body: correction }),
  };
}

/** @param {string} root e.g. "/api/numbers/" */
export function createNumbersApi(root) {
  const base = root.endsWith("/") ? root : `${root}/`;
  const item = (id) => `${base}${encodeURIComponent(id)}/`;
  return {
    /** POST a drawing of a number (PNG data URL) or an image file; resolves to the stored reading. */
    read: (image, { signal } = {}) => request("POST", base, { body: imageBody(image, { source: "page" }), signal }),
    /** GET one stored reading. */
    get: (id, { signal } = {}) => request("GET", item(id), { signal }),
    /** Tell the server what the number really was, as a string of digits: "2026". */
    feedback: (id, number) => request("POST", `${item(id)}feedback/`, { body: { number } }),
  };
}
