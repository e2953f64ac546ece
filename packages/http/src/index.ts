export { createWorkQueueApp } from "./app.js";
export type { AppEnv } from "./env.js";
export type { EventStreamOptions, WorkQueueAppOptions } from "./options.js";
export { bearerTokenAuth, type BearerTokenAuthOptions } from "./auth/bearer.js";
export type { AuthDenial, AuthHook, AuthRequest, AuthResult } from "./auth/hook.js";
export { HttpProblem, PROBLEM_CODES, PROBLEM_CONTENT_TYPE, problemType, type FieldIssue, type ProblemCode, type ProblemDetails } from "./problem.js";
export { createWorkQueueMetrics, type WorkQueueMetrics, type WorkQueueMetricsOptions } from "./metrics/metrics.js";
export { createMetricRegistry, PROMETHEUS_CONTENT_TYPE, type Counter, type Gauge, type Histogram, type Labels, type MetricRegistry } from "./metrics/prometheus.js";
export { createOpenApiDocument } from "./openapi/document.js";
export { REPLAY_TRUNCATED_EVENT } from "./sse/format.js";
export {
  HealthResponseSchema,
  PodItemsResponseSchema,
  PodResponseSchema,
  ProblemSchema,
  PurgePreviewResponseSchema,
  QueueEventSchema,
  type HealthResponse,
  type PodItemsResponse,
  type PodResponse,
  type PurgePreviewResponse,
} from "./schemas.js";
