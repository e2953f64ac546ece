import { html as honoHtml, raw } from "hono/html";

/** Markup whose interpolated values were escaped, or that was built from such markup. */
export type Html = ReturnType<typeof raw>;

/** A value that `html` accepts: text and numbers are escaped, markup is kept, empty values vanish. */
export type HtmlValue = Html | string | number | boolean | null | undefined | HtmlValue[];

/**
 * Builds markup from a template, escaping every interpolated string (`&`, `<`, `>`, `"`, `'`), so
 * pod names and error texts always end up as text. Attribute values must be quoted in the
 * template. Unlike Hono's `html`, it never returns a promise, because no value here is async.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  const result = honoHtml(strings, ...values);
  if (result instanceof Promise) throw new TypeError("html received an asynchronous value; resolve it before rendering");
  return result;
}

/** Joins rendered parts without escaping them again. */
export function join(parts: readonly Html[], separator = ""): Html {
  return raw(parts.join(separator));
}

const numberFormat = new Intl.NumberFormat("en-US");

/** Formats a count with thousands separators, such as `12,345`. */
export function formatCount(value: number): string {
  return numberFormat.format(value);
}

/** Formats an instant in UTC for the text of a `<time>` element, such as `2026-12-04 20:51:07 UTC`. */
export function formatUtc(instant: Date): string {
  return `${instant.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/**
 * Renders an instant as `<time>`. The text and the `title` show it in UTC; the page script
 * rewrites the text into the browser's time zone and keeps the UTC instant as the hover title.
 */
export function time(value: string | Date | null | undefined, fallback = "-"): Html {
  if (value === null || value === undefined) return html`${fallback}`;
  const instant = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(instant.getTime())) return html`${fallback}`;
  const utc = formatUtc(instant);
  return html`<time datetime="${instant.toISOString()}" title="${utc}">${utc}</time>`;
}

/** Encodes text as base64url, for element ids that must be unique for any pod name. */
function base64Url(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Element id of a pod's row on the purge page, unique per deployment and pod name. */
export function podDomId(deployment: string | null, podName: string): string {
  return `pod-${base64Url(`${deployment ?? ""}\u0000${podName}`)}`;
}

/** Element id of an item's card on the queue page. */
export function itemDomId(id: number): string {
  return `item-${id}`;
}
