import type { OffPeakWindow, PurgePreview } from "@logmk/workqueue";
import type { PodResponse } from "../schemas.js";
import { type Html, formatCount, html, time } from "./html.js";
import type { TokenState } from "./layout.js";
import type { PageUrls } from "./urls.js";

/** Choices of the "which logs" field: everything, older than a number of days, or a custom range. */
export const RANGE_CHOICES = [
  { value: "all", label: "All logs", days: null },
  { value: "1d", label: "Older than 1 day", days: 1 },
  { value: "7d", label: "Older than 7 days", days: 7 },
  { value: "30d", label: "Older than 30 days", days: 30 },
  { value: "custom", label: "Custom range", days: null },
] as const;

export type RangeChoice = (typeof RANGE_CHOICES)[number]["value"];

function hiddenPod(pod: Pick<PodResponse, "deployment" | "podName">): Html {
  const deployment = pod.deployment === null ? "" : html`<input type="hidden" name="deployment" value="${pod.deployment}">`;
  return html`<input type="hidden" name="podName" value="${pod.podName}">${deployment}`;
}

function podTitle(pod: Pick<PodResponse, "deployment" | "podName">): Html {
  const deployment = pod.deployment === null ? "" : html` <span class="muted">in deployment</span> <span class="name">${pod.deployment}</span>`;
  return html`<span class="name">${pod.podName}</span>${deployment}`;
}

function windowText(window: OffPeakWindow): string {
  const { start, end, timeZone } = window.options;
  return `${start} to ${end} ${timeZone}`;
}

function scheduleField(window: OffPeakWindow | undefined, now: Date): Html {
  const offPeak = window === undefined
    ? html`<label class="choice"><input type="radio" name="schedule" value="off-peak" disabled> Off-peak <span class="muted">(no off-peak window is configured)</span></label>`
    : html`<label class="choice"><input type="radio" name="schedule" value="off-peak"> Off-peak, ${windowText(window)} <span class="muted">(next start ${time(window.nextStart(now))})</span></label>`;
  return html`<fieldset>
  <legend>When</legend>
  <label class="choice"><input type="radio" name="schedule" value="now" checked> Now</label>
  ${offPeak}
</fieldset>`;
}

/** Alert element that page.js fills with the error of a request sent from the dialog. The style sheet hides it while empty. */
const dialogError = html`<p class="dialog-error" role="alert"></p>`;

export interface PurgeFormParams {
  urls: PageUrls;
  pod: PodResponse;
  offPeakWindow: OffPeakWindow | undefined;
  now: Date;
  token: TokenState;
}

/**
 * Renders the first step of a purge: which logs and when. "Preview" shows the estimate before anything is queued.
 * When the server needs a token that this browser has not saved, a note at the start states this before anyone fills in the form.
 */
export function purgeForm({ urls, pod, offPeakWindow, now, token }: PurgeFormParams): Html {
  const choices = RANGE_CHOICES.map(
    (choice, index) => html`<label class="choice"><input type="radio" name="range" value="${choice.value}"${index === 0 ? html` checked` : ""}> ${choice.label}</label>`,
  );
  const tokenNote = token.required && !token.present
    ? html`<p class="note" id="purge-token-note">Previewing and queueing a purge need the API token. Close this dialog and save the token in the form at the top of the page first.</p>`
    : "";
  return html`<h2 id="purge-dialog-title">Purge logs of pod ${podTitle(pod)}</h2>
${tokenNote}
<p class="muted">About ${formatCount(pod.approximateCount)} log lines, from ${time(pod.oldest)} to ${time(pod.newest)}.</p>
<form hx-post="${urls.purgePreview()}" hx-target="#purge-dialog-body">
  ${hiddenPod(pod)}
  <fieldset>
    <legend>Which logs</legend>
    ${choices}
    <div class="custom-range">
      <label for="purge-from-local">From, in your time zone (empty: from the oldest log)</label>
      <input type="datetime-local" id="purge-from-local" step="1" data-instant-for="purge-from">
      <input type="hidden" name="from" id="purge-from">
      <label for="purge-to-local">To, in your time zone (empty: up to now)</label>
      <input type="datetime-local" id="purge-to-local" step="1" data-instant-for="purge-to">
      <input type="hidden" name="to" id="purge-to">
    </div>
  </fieldset>
  ${scheduleField(offPeakWindow, now)}
  ${dialogError}
  <div class="actions">
    <button type="submit" class="button primary" autofocus>Preview</button>
    <button type="button" class="button" data-close-dialog>Close</button>
  </div>
</form>`;
}

export interface PurgeConfirmParams {
  urls: PageUrls;
  preview: PurgePreview;
  schedule: "now" | "off-peak";
  offPeakWindow: OffPeakWindow | undefined;
  now: Date;
}

/**
 * Renders the second step: the estimate and the resolved range. "Queue the purge" queues exactly
 * this range. The focus starts on "Back", so that pressing Enter again after "Preview" cannot queue a purge.
 */
export function purgeConfirm({ urls, preview, schedule, offPeakWindow, now }: PurgeConfirmParams): Html {
  const range = preview.from === null ? html`all logs before ${time(preview.to)}` : html`logs from ${time(preview.from)} to ${time(preview.to)}`;
  const when = schedule === "off-peak" && offPeakWindow !== undefined
    ? html`in the off-peak window, ${windowText(offPeakWindow)}, starting ${time(offPeakWindow.nextStart(now))}`
    : html`now`;
  const from = preview.from === null ? "" : html`<input type="hidden" name="from" value="${preview.from}">`;

  return html`<h2 id="purge-dialog-title">Confirm the purge of pod ${podTitle(preview)}</h2>
<p class="estimate" id="purge-estimate">About <strong>${formatCount(preview.estimatedRecords)}</strong> log lines will be deleted.</p>
<dl class="summary">
  <div><dt>Logs</dt><dd>${range}</dd></div>
  <div><dt>Runs</dt><dd>${when}</dd></div>
</dl>
<p class="muted">The estimate comes from the database statistics. Nothing is deleted yet: the purge is queued, and a worker deletes the rows in short chunks that you can watch and cancel.</p>
<form hx-post="${urls.purgeQueue()}" hx-target="#purge-dialog-body">
  ${hiddenPod(preview)}
  ${from}
  <input type="hidden" name="to" value="${preview.to}">
  <input type="hidden" name="schedule" value="${schedule}">
  <input type="hidden" name="displayedEstimate" value="${String(preview.estimatedRecords)}">
  ${dialogError}
  <div class="actions">
    <button type="submit" class="button danger">Queue the purge</button>
    <button type="button" class="button" hx-get="${urls.purgeForm(preview.deployment, preview.podName)}" hx-target="#purge-dialog-body" autofocus>Back</button>
    <button type="button" class="button" data-close-dialog>Close</button>
  </div>
</form>`;
}
