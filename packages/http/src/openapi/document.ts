import { PurgeRequestSchema, WorkQueueItemResponseSchema, WorkQueueStatusResponseSchema, WORK_QUEUE_STATUSES } from "@logmk/workqueue";
import { z } from "zod";
import { REPLAY_TRUNCATED_EVENT } from "../sse/format.js";
import {
  HealthResponseSchema,
  PodItemsResponseSchema,
  PodResponseSchema,
  ProblemSchema,
  PurgePreviewResponseSchema,
  QueueEventSchema,
} from "../schemas.js";

/** The schemas of `components.schemas`, by name: the core's and this package's, nothing written by hand. */
const COMPONENT_SCHEMAS: Record<string, z.ZodType> = {
  PurgeRequest: PurgeRequestSchema,
  PurgePreview: PurgePreviewResponseSchema,
  WorkQueueItem: WorkQueueItemResponseSchema,
  WorkQueueStatus: WorkQueueStatusResponseSchema,
  PodItems: PodItemsResponseSchema,
  Pod: PodResponseSchema,
  Health: HealthResponseSchema,
  QueueEvent: QueueEventSchema,
  Problem: ProblemSchema,
};

type JsonObject = Record<string, unknown>;

function componentSchemas(): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENT_SCHEMAS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { target: "draft-2020-12", uri: (id) => `#/components/schemas/${id}`, unrepresentable: "any" });

  const components: Record<string, JsonObject> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    // OpenAPI 3.1 uses the 2020-12 dialect already; the per-schema `$schema` and `$id` would only confuse tools.
    const { $schema: _schema, $id: _id, ...rest } = schema as JsonObject;
    components[id] = rest;
  }
  return components;
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (description: string, schema: JsonObject, headers?: JsonObject) => ({ description, ...(headers ? { headers } : {}), content: { "application/json": { schema } } });
const problem = (description: string, headers?: JsonObject) => ({ description, ...(headers ? { headers } : {}), content: { "application/problem+json": { schema: ref("Problem") } } });

const idParameter = { name: "id", in: "path", required: true, description: "Item id", schema: { type: "integer", minimum: 1 } };
const queryParameter = (name: string, description: string, schema: JsonObject) => ({ name, in: "query", required: false, description, schema });

/** Errors that any route can return: bad auth, a failing store, a server error. */
const commonErrors = {
  "401": problem("Auth is configured and the credentials are missing or invalid (UNAUTHORIZED)", { "WWW-Authenticate": { schema: { type: "string" } } }),
  "403": problem("The auth hook rejected the request, or a browser sent a mutating request from another origin (FORBIDDEN)"),
  "500": problem("Unexpected server error (INTERNAL_ERROR); the log has the details under the request id"),
  "503": problem("The store failed (STORE_FAILED)"),
};
const bodyErrors = {
  "400": problem("Invalid input (VALIDATION_FAILED, with `issues`) or a body that is not JSON (MALFORMED_JSON)"),
  "413": problem("The body is larger than the limit (BODY_TOO_LARGE)"),
  "415": problem("The body is not sent as application/json (UNSUPPORTED_MEDIA_TYPE)"),
};
const invalidId = { "400": problem("The id is not a positive integer (VALIDATION_FAILED)") };
const unknownItem = { "404": problem("No item has this id (NOT_FOUND)") };

function purgeBody() {
  return { required: true, content: { "application/json": { schema: ref("PurgeRequest") } } };
}

function paths(): JsonObject {
  return {
    "/api/workqueue/purge": {
      post: {
        operationId: "queuePurge",
        summary: "Queue a log purge of one pod",
        requestBody: purgeBody(),
        responses: {
          "202": json("Queued", ref("WorkQueueItem"), { Location: { description: "URL of the new item", schema: { type: "string" } } }),
          ...bodyErrors,
          "404": problem("The pod, or the pod in that deployment, has no logs (NOT_FOUND)"),
          "409": problem("The pod already has an open purge; `item` contains it (CONFLICT)"),
          "429": problem("The queue already has its maximum number of open items (QUEUE_FULL)", { "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } } }),
          ...commonErrors,
        },
      },
    },
    "/api/workqueue/purge/preview": {
      post: {
        operationId: "previewPurge",
        summary: "Resolve a purge request and estimate its rows without queueing it",
        requestBody: purgeBody(),
        responses: { "200": json("The resolved range and the estimate", ref("PurgePreview")), ...bodyErrors, "404": problem("The pod has no logs (NOT_FOUND)"), ...commonErrors },
      },
    },
    "/api/workqueue": {
      get: {
        operationId: "listItems",
        summary: "List items, newest first",
        parameters: [
          queryParameter("status", "Only items in this status", { type: "string", enum: [...WORK_QUEUE_STATUSES] }),
          queryParameter("type", "Only items of this type, such as LOG_PURGE", { type: "string" }),
          queryParameter("podName", "Only items of this pod", { type: "string" }),
          queryParameter("deployment", "Only items of this deployment", { type: "string" }),
          queryParameter("before", "Only items with a smaller id: the next page", { type: "integer", minimum: 1 }),
          queryParameter("limit", "Page size", { type: "integer", minimum: 1, maximum: 500, default: 50 }),
        ],
        responses: {
          "200": json("One page of items", { type: "array", items: ref("WorkQueueItem") }, { Link: { description: 'The next page as `<url>; rel="next"`, when the page is full', schema: { type: "string" } } }),
          "400": problem("Invalid filter or page parameter (VALIDATION_FAILED)"),
          ...commonErrors,
        },
      },
    },
    "/api/workqueue/active": {
      get: { operationId: "listActiveItems", summary: "List the IN_PROGRESS items", responses: { "200": json("Running items", { type: "array", items: ref("WorkQueueItem") }), ...commonErrors } },
    },
    "/api/workqueue/status": {
      get: { operationId: "getQueueStatus", summary: "Open items, counts per status and the age of the oldest pending item", responses: { "200": json("Queue overview", ref("WorkQueueStatus")), ...commonErrors } },
    },
    "/api/workqueue/pod/{podName}": {
      get: {
        operationId: "listPodItems",
        summary: "The open items of one pod",
        parameters: [{ name: "podName", in: "path", required: true, schema: { type: "string", minLength: 1, maxLength: 256 } }, queryParameter("deployment", "Only items of this deployment", { type: "string" })],
        responses: { "200": json("The pod's open items", ref("PodItems")), "400": problem("Invalid pod name or deployment (VALIDATION_FAILED)"), ...commonErrors },
      },
    },
    "/api/workqueue/events": {
      get: {
        operationId: "streamEvents",
        summary: "Queue events as Server-Sent Events",
        description: `Each event is named after its QueueEvent name, has the event's id as its SSE id and the QueueEvent as JSON data. A client that reconnects with Last-Event-ID (header, or the lastEventId query parameter) first gets the events it missed; when that is more than the replay limit it gets one ${REPLAY_TRUNCATED_EVENT} event instead and should reload the list. Progress events of one item are coalesced for a client that reads slowly. A comment line is sent every 15 s by default to keep the stream open.`,
        parameters: [
          { name: "Last-Event-ID", in: "header", required: false, schema: { type: "integer", minimum: 0 } },
          queryParameter("lastEventId", "Used when the Last-Event-ID header is absent", { type: "integer", minimum: 0 }),
        ],
        responses: {
          "200": { description: "An endless event stream; the data of each queue event follows the QueueEvent schema", content: { "text/event-stream": { schema: ref("QueueEvent") } } },
          "400": problem("Last-Event-ID is not a whole number (VALIDATION_FAILED)"),
          ...commonErrors,
        },
      },
    },
    "/api/workqueue/{id}": {
      get: { operationId: "getItem", summary: "One item", parameters: [idParameter], responses: { "200": json("The item", ref("WorkQueueItem")), ...invalidId, ...unknownItem, ...commonErrors } },
      delete: {
        operationId: "cancelItem",
        summary: "Cancel an item",
        parameters: [idParameter],
        responses: {
          "200": json("The item was PENDING and is CANCELLED now", ref("WorkQueueItem")),
          "202": json("The item is running; cancelRequestedAt is set and it stops after its current chunk", ref("WorkQueueItem")),
          ...invalidId,
          ...unknownItem,
          "409": problem("The item has finished; `item` contains it (INVALID_STATE)"),
          ...commonErrors,
        },
      },
    },
    "/api/workqueue/{id}/retry": {
      post: {
        operationId: "retryItem",
        summary: "Queue a FAILED or CANCELLED item again; a purge continues where it stopped",
        parameters: [idParameter],
        responses: {
          "202": json("The item is PENDING again", ref("WorkQueueItem")),
          ...invalidId,
          ...unknownItem,
          "409": problem("The item is not FAILED or CANCELLED (INVALID_STATE), or another open item has its unique key (CONFLICT); `item` contains it"),
          "429": problem("The queue already has its maximum number of open items (QUEUE_FULL)"),
          ...commonErrors,
        },
      },
    },
    "/api/pods": {
      get: { operationId: "listPods", summary: "Pods of the log table with estimated row counts, oldest and newest log and open purge", responses: { "200": json("The pods", { type: "array", items: ref("Pod") }), ...commonErrors } },
    },
    "/healthz": {
      get: { operationId: "getHealth", summary: "Whether the store is reachable and the processor runs", security: [], responses: { "200": json("Healthy", ref("Health")), "503": json("Unhealthy", ref("Health")) } },
    },
    "/metrics": {
      get: { operationId: "getMetrics", summary: "Prometheus metrics", responses: { "200": { description: "Prometheus text format 0.0.4", content: { "text/plain": { schema: { type: "string" } } } }, ...commonErrors } },
    },
    "/openapi.json": {
      get: { operationId: "getOpenApi", summary: "This document", responses: { "200": json("OpenAPI 3.1 document", { type: "object" }) } },
    },
  };
}

/** Builds the OpenAPI 3.1 document of the app mounted at `basePath`. */
export function createOpenApiDocument(basePath: string): JsonObject {
  return {
    openapi: "3.1.0",
    info: {
      title: "LogMk Work Queue API",
      version: "1.0.0",
      description: "Queue, watch and cancel long-running LogMk maintenance jobs such as log purges. Errors are application/problem+json with a stable `code`.",
    },
    servers: [{ url: basePath === "" ? "/" : basePath }],
    // Auth is optional: the host decides whether to require a token, and for which requests.
    security: [{}, { bearerAuth: [] }],
    paths: paths(),
    components: {
      schemas: componentSchemas(),
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", description: "Needed when the host configures token auth, by default for mutating requests only" } },
    },
  };
}
