import type { WorkQueueStatus } from "@logmk/workqueue";

/** Status filter of the queue page: one status, or every item. */
export type QueueView = WorkQueueStatus | "ALL";

/** Addresses of the pages and their fragments, below the app's base path. */
export interface PageUrls {
  readonly basePath: string;
  queue(view?: QueueView, before?: number): string;
  queueList(view: QueueView, before?: number): string;
  /** The queue page with the item on top of the list, scrolled to it. */
  queueItem(id: number): string;
  queueEvents(lastEventId: number): string;
  purge(): string;
  purgeEvents(lastEventId: number): string;
  purgeForm(deployment: string | null, podName: string): string;
  purgePreview(): string;
  purgeQueue(): string;
  cancel(id: number): string;
  retry(id: number): string;
  login(returnTo?: string): string;
  logout(): string;
  asset(name: string, hash: string): string;
}

function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text === "" ? path : `${path}?${text}`;
}

export function createPageUrls(basePath: string): PageUrls {
  const viewQuery = (view: QueueView | undefined, before: number | undefined) => ({ status: view === undefined || view === "ALL" ? undefined : view, before });
  return {
    basePath,
    queue: (view, before) => withQuery(`${basePath}/queue`, viewQuery(view, before)),
    queueList: (view, before) => withQuery(`${basePath}/queue/list`, viewQuery(view, before)),
    queueItem: (id) => `${withQuery(`${basePath}/queue`, { before: id + 1 })}#item-${id}`,
    queueEvents: (lastEventId) => withQuery(`${basePath}/queue/events`, { lastEventId }),
    purge: () => `${basePath}/purge`,
    purgeEvents: (lastEventId) => withQuery(`${basePath}/purge/events`, { lastEventId }),
    purgeForm: (deployment, podName) => withQuery(`${basePath}/purge/form`, { deployment: deployment ?? undefined, podName }),
    purgePreview: () => `${basePath}/purge/preview`,
    purgeQueue: () => `${basePath}/purge/queue`,
    cancel: (id) => `${basePath}/queue/items/${id}/cancel`,
    retry: (id) => `${basePath}/queue/items/${id}/retry`,
    login: (returnTo) => withQuery(`${basePath}/login`, { return: returnTo }),
    logout: () => `${basePath}/logout`,
    asset: (name, hash) => `${basePath}/assets/${name}?v=${hash}`,
  };
}
