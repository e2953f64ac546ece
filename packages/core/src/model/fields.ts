import { z } from "zod";
import { LIMITS } from "./limits.js";

// Control characters (C0, DEL and C1) never belong in a name that is shown in logs and pages.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

function nameSchema(field: string, maxLength: number) {
  return z
    .string({ error: `${field} must be a string` })
    .min(1, { error: `${field} must not be empty` })
    .max(maxLength, { error: `${field} must be at most ${maxLength} characters` })
    .refine((value) => !CONTROL_CHARACTERS.test(value), {
      error: `${field} must not contain control characters such as newlines or tabs`,
    });
}

/** A Kubernetes pod name as LogMk stores it. Markup and quotes are ordinary characters. */
export const PodNameSchema = nameSchema("podName", LIMITS.maxPodNameLength);

/** The deployment a pod belongs to. */
export const DeploymentSchema = nameSchema("deployment", LIMITS.maxDeploymentLength);

/** A job type name such as `LOG_PURGE`: upper-case letters, digits and underscores. */
export const ItemTypeSchema = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]*$/, { error: "type must be upper-case letters, digits and underscores, such as LOG_PURGE" })
  .max(LIMITS.maxTypeLength);

export const PrioritySchema = z
  .number({ error: "priority must be an integer" })
  .int({ error: "priority must be an integer" })
  .min(LIMITS.minPriority, { error: `priority must be between ${LIMITS.minPriority} and ${LIMITS.maxPriority}` })
  .max(LIMITS.maxPriority, { error: `priority must be between ${LIMITS.minPriority} and ${LIMITS.maxPriority}` });

export const MaxAttemptsSchema = z.number().int().min(1).max(LIMITS.maxAttemptsLimit);

/** Item ids are positive integers assigned by the store in creation order. */
export const ItemIdSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const JsonObjectSchema = z.record(z.string(), z.unknown());
export type JsonObject = z.infer<typeof JsonObjectSchema>;

export function hasControlCharacters(value: string): boolean {
  return CONTROL_CHARACTERS.test(value);
}
