import type { PurgeRequest } from "@logmk/workqueue";
import { z } from "zod";
import { parseInput } from "../input.js";
import { HttpProblem } from "../problem.js";
import { RANGE_CHOICES } from "./purge-dialog.js";

const DAY_MS = 24 * 60 * 60_000;

/** An empty form field counts as absent. */
const optionalText = z.preprocess((value) => (value === "" ? undefined : value), z.string().optional());

const PodFieldsSchema = z.object({
  podName: z.string({ error: "podName is missing; open the purge form from the pod's row" }).min(1, { error: "podName is missing; open the purge form from the pod's row" }),
  deployment: optionalText,
});

/** The first step's form: the pod, which logs and when. */
const PurgeFormSchema = PodFieldsSchema.extend({
  range: z.enum(RANGE_CHOICES.map((choice) => choice.value) as [string, ...string[]], { error: "range must be all, 1d, 7d, 30d or custom" }).default("all"),
  from: optionalText,
  to: optionalText,
  schedule: z.enum(["now", "off-peak"], { error: "schedule must be now or off-peak" }).default("now"),
});

/** The confirmation's form: the resolved range and the estimate the person saw. */
const PurgeConfirmSchema = PodFieldsSchema.extend({
  from: optionalText,
  to: z.string({ error: "to is missing; preview the purge again" }),
  schedule: z.enum(["now", "off-peak"], { error: "schedule must be now or off-peak" }),
  displayedEstimate: z.preprocess((value) => (typeof value === "string" && /^\d{1,15}$/.test(value) ? Number(value) : value), z.number({ error: "displayedEstimate must be a whole number" }).int().nonnegative().optional()),
});

export interface PurgeFormRequest {
  request: PurgeRequest;
  schedule: "now" | "off-peak";
}

/** Turns the first step's form into a purge request; "older than N days" ends the range N days before `now`. */
export function purgeRequestFromForm(form: Record<string, unknown>, now: Date): PurgeFormRequest {
  const fields = parseInput(PurgeFormSchema, form, "purge form");
  const request: PurgeRequest = { podName: fields.podName, deployment: fields.deployment ?? null, schedule: fields.schedule };
  const choice = RANGE_CHOICES.find((entry) => entry.value === fields.range)!;

  if (choice.days !== null) {
    request.to = new Date(now.getTime() - choice.days * DAY_MS).toISOString();
  } else if (choice.value === "custom") {
    if (fields.from === undefined && fields.to === undefined) {
      throw new HttpProblem("VALIDATION_FAILED", "A custom range needs a start, an end or both; fill in From or To.", { issues: [{ path: "from", message: "missing" }] });
    }
    request.from = fields.from ?? null;
    request.to = fields.to ?? null;
  }
  return { request, schedule: fields.schedule };
}

/** Turns the confirmation's form into the purge request to queue: exactly the range that was previewed. */
export function purgeRequestFromConfirmation(form: Record<string, unknown>): PurgeRequest {
  const fields = parseInput(PurgeConfirmSchema, form, "purge confirmation");
  return {
    podName: fields.podName,
    deployment: fields.deployment ?? null,
    from: fields.from ?? null,
    to: fields.to,
    schedule: fields.schedule,
    displayedEstimate: fields.displayedEstimate ?? null,
    metadata: { source: "purge page" },
  };
}
