import { DeploymentSchema, PodNameSchema, childLogger, toItemResponse } from "@logmk/workqueue";
import type { Hono } from "hono";
import type { AppEnv } from "../env.js";
import { parseInput } from "../input.js";
import { HttpProblem, quoteValue } from "../problem.js";
import { listPodsWithOpenPurges } from "../routes/pods.js";
import { html, podDomId } from "./html.js";
import { layout } from "./layout.js";
import type { PageContext } from "./page-context.js";
import { purgeConfirm, purgeForm } from "./purge-dialog.js";
import { purgeRequestFromConfirmation, purgeRequestFromForm } from "./purge-forms.js";
import { purgeBody, podState } from "./purge-page.js";
import { registerLiveStream } from "./queue-routes.js";
import { htmlResponse, pathAndQuery, tokenState } from "./respond.js";

/** `/purge` and its fragments: the pod list, the two steps of the purge dialog, the live stream. */
export function registerPurgeRoutes(app: Hono<AppEnv>, context: PageContext): void {
  const { options, pages, urls } = context;
  const { queue, purgeService, clock } = options;

  app.get("/purge", async (c) => {
    await queue.startEvents();
    const position = queue.eventPosition();
    const pods = await listPodsWithOpenPurges(options);
    const page = layout({
      urls,
      title: "Purge logs",
      current: "purge",
      returnTo: pathAndQuery(c),
      token: tokenState(c, options, pages.tokenCookie),
      liveUrl: urls.purgeEvents(position),
      reconnectMaxDelayMs: pages.reconnectMaxDelayMs,
      body: purgeBody(pods, urls),
    });
    return htmlResponse(c, page);
  });

  registerLiveStream(app, context, "purge");

  app.get("/purge/form", async (c) => {
    const podName = parseInput(PodNameSchema, c.req.query("podName"), "podName query parameter");
    const rawDeployment = c.req.query("deployment");
    const deployment = rawDeployment === undefined ? null : parseInput(DeploymentSchema, rawDeployment, "deployment query parameter");

    const pod = (await listPodsWithOpenPurges(options)).find((entry) => entry.podName === podName && entry.deployment === deployment);
    if (pod === undefined) {
      throw new HttpProblem("NOT_FOUND", `No logs of pod ${quoteValue(podName)}${deployment === null ? "" : ` in deployment ${quoteValue(deployment)}`} were found; reload the page to see the current pods.`);
    }
    const token = tokenState(c, options, pages.tokenCookie);
    return htmlResponse(c, purgeForm({ urls, pod, offPeakWindow: queue.offPeakWindow, now: clock.now(), token }));
  });

  app.post("/purge/preview", async (c) => {
    const { request, schedule } = purgeRequestFromForm(await c.req.parseBody(), clock.now());
    const preview = await purgeService.preview(request);
    return htmlResponse(c, purgeConfirm({ urls, preview, schedule, offPeakWindow: queue.offPeakWindow, now: clock.now() }));
  });

  app.post("/purge/queue", async (c) => {
    const item = await purgeService.enqueue(purgeRequestFromConfirmation(await c.req.parseBody()));
    childLogger(options.logger, { requestId: c.get("requestId") }).info({ itemId: item.id }, `The purge page queued item ${item.id}`);

    // The pod's cell changes at once; the dialog closes on the trigger and focus moves to the new "View in queue" link.
    const response = toItemResponse(item, clock.now());
    const cell = podState(response, response, urls, true);
    const trigger = JSON.stringify({ "purge-queued": { itemId: item.id, focus: `${podDomId(item.deployment, item.podName)}-view` } });
    return htmlResponse(c, html`<p>Queued as item #${item.id}.</p>${cell}`, 200, { "HX-Trigger": trigger });
  });
}
