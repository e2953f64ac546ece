// Behaviour of the LogMk work queue pages that htmx attributes cannot express: local times,
// toasts for error responses, the purge dialog and the live-update status. It is loaded as a
// file, so the pages' Content-Security-Policy needs no inline script.
(() => {
  "use strict";

  const TOAST_MS = 6_000;
  const ERROR_TOAST_MS = 20_000;
  // More toasts than this would cover the badges and progress they report on. The oldest go first.
  const MAX_TOASTS = 3;
  const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

  /** Shows each <time datetime> in the browser's time zone; its title keeps the UTC instant. */
  function localizeTimes(root) {
    const elements = root.matches?.("time[datetime]") ? [root] : [...(root.querySelectorAll?.("time[datetime]") ?? [])];
    for (const element of elements) {
      const instant = new Date(element.getAttribute("datetime"));
      if (Number.isNaN(instant.getTime())) continue;
      element.textContent = timeFormat.format(instant);
    }
  }

  function dismissLater(toast) {
    const delay = toast.classList.contains("toast-error") ? ERROR_TOAST_MS : TOAST_MS;
    const attempt = () => {
      // A toast that is being read or pointed at stays until the reader moves on.
      if (toast.matches(":hover, :focus-within")) setTimeout(attempt, 2_000);
      else toast.remove();
    };
    setTimeout(attempt, delay);
  }

  /** Removes the oldest toasts beyond MAX_TOASTS, keeping errors over other toasts. */
  function limitToasts(region) {
    if (!region) return;
    const toasts = [...region.querySelectorAll(":scope > .toast")];
    let excess = toasts.length - MAX_TOASTS;
    for (const toast of [...toasts.filter((each) => !each.classList.contains("toast-error")), ...toasts.filter((each) => each.classList.contains("toast-error"))]) {
      if (excess <= 0) break;
      toast.remove();
      excess--;
    }
  }

  /** Adds a toast whose message is set as text, so nothing in it can become markup. */
  function showToast(kind, message) {
    const region = document.getElementById("toasts");
    if (!region) return;
    const toast = document.createElement("div");
    toast.className = `toast toast-${kind}`;
    toast.setAttribute("role", kind === "error" ? "alert" : "status");
    const text = document.createElement("p");
    text.textContent = message;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    toast.append(text, close);
    region.append(toast);
  }

  const observer = new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      for (const node of mutation.addedNodes) {
        if (node.nodeType !== Node.ELEMENT_NODE) continue;
        localizeTimes(node);
        if (node.classList.contains("toast")) {
          dismissLater(node);
          limitToasts(node.parentElement);
        }
      }
    }
  });

  /**
   * Shows the error of a request sent from an open dialog in the dialog's alert element, next to
   * the form that sent it. Errors of requests from the page itself become toasts.
   */
  function showRequestError(source, message) {
    const dialog = source instanceof Element ? source.closest("dialog[open]") : null;
    if (!dialog) {
      showToast("error", message);
      return;
    }
    let alert = dialog.querySelector(".dialog-error");
    if (!alert) {
      alert = document.createElement("p");
      alert.className = "dialog-error";
      alert.setAttribute("role", "alert");
      (dialog.querySelector(".actions") ?? dialog.lastElementChild)?.before(alert);
    }
    alert.textContent = message;
  }

  // A new request from a dialog clears its last error, so that an error shown later is announced again.
  document.addEventListener("htmx:before:request", (event) => {
    const source = event.detail?.ctx?.sourceElement ?? event.target;
    const alert = source instanceof Element ? source.closest("dialog[open]")?.querySelector(".dialog-error") : null;
    if (alert) alert.textContent = "";
  });

  // Error responses of the app are problem+json, so their detail is shown instead of JSON swapped into the page.
  document.addEventListener("htmx:after:request", (event) => {
    const ctx = event.detail?.ctx;
    const status = ctx?.response?.status ?? 0;
    if (status < 400) return;
    event.preventDefault();

    const source = ctx.sourceElement ?? event.target;
    let message = `The server responded with status ${status}.`;
    const type = ctx.response.headers?.get("Content-Type") ?? "";
    if (type.includes("json")) {
      try {
        const problem = JSON.parse(ctx.text);
        if (typeof problem.detail === "string") message = problem.detail;
      } catch {
        // Without a problem body, the status is all the information there is.
      }
    }
    // The problem's detail speaks to API clients (an Authorization header), which a person at the page cannot send.
    if (status === 401) {
      const inDialog = source instanceof Element && source.closest("dialog[open]") !== null;
      message = inDialog
        ? "This action needs the API token. Close this dialog and enter the token in the form at the top of the page."
        : "This action needs the API token. Enter it in the form at the top of the page.";
    }
    showRequestError(source, message);
  });

  document.addEventListener("htmx:error", (event) => {
    if (event.target?.id === "live") return;
    const error = event.detail?.error;
    showRequestError(event.target, `The request failed: ${error?.message ?? error ?? "no response from the server"}. Check that the server runs, then try again.`);
  });

  function setLiveState(state, text) {
    const status = document.getElementById("live-status");
    if (!status || status.dataset.state === state) return;
    status.dataset.state = state;
    status.textContent = text;
  }

  document.addEventListener("htmx:sse:after:connection", () => setLiveState("live", "Live updates on."));
  document.addEventListener("htmx:sse:error", () => setLiveState("reconnecting", "Live updates interrupted; reconnecting…"));
  document.addEventListener("htmx:sse:close", () => setLiveState("closed", "Live updates stopped; reload the page to resume them."));

  // Live updates may replace the element that has the focus; put the focus back on its replacement.
  let focusedId = null;
  document.addEventListener("htmx:before:swap", (event) => {
    if (event.target?.id === "live") focusedId = document.activeElement?.id || null;
  });
  document.addEventListener("htmx:after:swap", (event) => {
    if (event.target?.id === "live" && focusedId && (document.activeElement === document.body || document.activeElement === null)) {
      document.getElementById(focusedId)?.focus({ preventScroll: true });
    }
    const target = event.detail?.ctx?.target;
    if (target?.id === "purge-dialog-body" && target.childElementCount > 0) openDialog(target.closest("dialog"));
  });

  /**
   * Moves the toast region into `parent`. A modal dialog makes the rest of the page inert, so toasts
   * behind it could not be dismissed. Live updates find the region by its id wherever it is.
   */
  function moveToasts(parent) {
    const region = document.getElementById("toasts");
    if (region && region.parentElement !== parent) parent.append(region);
  }

  let dialogOpener = null;
  function openDialog(dialog) {
    if (!dialog || dialog.open) return;
    dialogOpener = document.activeElement;
    dialog.showModal();
    moveToasts(dialog);
  }

  document.addEventListener("close", (event) => {
    const dialog = event.target;
    if (!(dialog instanceof HTMLDialogElement)) return;
    dialog.querySelector("#purge-dialog-body")?.replaceChildren();
    moveToasts(document.body);
    if (dialogOpener?.isConnected && !dialogOpener.disabled) dialogOpener.focus();
    dialogOpener = null;
  }, true);

  document.addEventListener("purge-queued", (event) => {
    const dialog = document.getElementById("purge-dialog");
    dialogOpener = null;
    if (dialog?.open) dialog.close();
    const focus = event.detail?.focus;
    if (focus) document.getElementById(focus)?.focus();
  });

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (target?.closest("[data-close-dialog]")) target.closest("dialog")?.close();
    if (target?.closest(".toast-close")) target.closest(".toast")?.remove();
  });

  // A datetime-local field holds a wall-clock time without a zone; send the instant it means here.
  document.addEventListener("input", (event) => {
    const field = event.target;
    if (!(field instanceof HTMLInputElement) || !field.dataset.instantFor) return;
    const hidden = document.getElementById(field.dataset.instantFor);
    const instant = new Date(field.value);
    if (hidden) hidden.value = field.value === "" || Number.isNaN(instant.getTime()) ? "" : instant.toISOString();
    const custom = field.form?.querySelector('input[name="range"][value="custom"]');
    if (custom) custom.checked = true;
  });

  function start() {
    localizeTimes(document.body);
    for (const toast of document.querySelectorAll(".toast")) dismissLater(toast);
    observer.observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
