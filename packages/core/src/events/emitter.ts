import mitt, { type Emitter, type Handler } from "mitt";
import { errorMessageOf } from "../errors.js";
import type { Logger } from "../logger.js";
import type { QueueEvent, QueueEventMap, QueueEventName } from "./names.js";

export type QueueEventListener = (event: QueueEvent) => void;

/**
 * Typed emitter of queue events. A listener that throws is logged and skipped: it cannot stop
 * the emitter, the processor or the other listeners.
 */
export interface QueueEventEmitter {
  on<Name extends QueueEventName>(name: Name, listener: Handler<QueueEventMap[Name]>): () => void;
  /** Listens to every event name. */
  onAny(listener: QueueEventListener): () => void;
  off<Name extends QueueEventName>(name: Name, listener: Handler<QueueEventMap[Name]>): void;
  emit(event: QueueEvent): void;
  /** Number of registered listeners, over all names. */
  listenerCount(): number;
}

export function createQueueEventEmitter(logger: Logger): QueueEventEmitter {
  const emitter: Emitter<QueueEventMap> = mitt<QueueEventMap>();
  // Guarded wrappers by event name and original listener, so that `off` finds what `on` added.
  const wrapped = new Map<QueueEventName, Map<Function, Handler<QueueEvent>>>();
  const anyListeners = new Set<QueueEventListener>();
  let count = 0;

  const guard = (listener: QueueEventListener): Handler<QueueEvent> => (event) => {
    try {
      listener(event);
    } catch (error) {
      logger.error({ err: error, eventId: event.id, event: event.name, itemId: event.item.id }, `Queue event listener failed: ${errorMessageOf(error)}`);
    }
  };

  return {
    on(name, listener) {
      const guarded = guard(listener as QueueEventListener);
      const forName = wrapped.get(name) ?? new Map<Function, Handler<QueueEvent>>();
      if (forName.has(listener)) return () => this.off(name, listener);
      forName.set(listener, guarded);
      wrapped.set(name, forName);
      emitter.on(name, guarded as Handler<QueueEventMap[typeof name]>);
      count++;
      return () => this.off(name, listener);
    },
    onAny(listener) {
      const guarded = guard(listener);
      anyListeners.add(guarded);
      count++;
      return () => {
        if (anyListeners.delete(guarded)) count--;
      };
    },
    off(name, listener) {
      const guarded = wrapped.get(name)?.get(listener);
      if (!guarded) return;
      wrapped.get(name)?.delete(listener);
      emitter.off(name, guarded as Handler<QueueEventMap[typeof name]>);
      count--;
    },
    emit(event) {
      emitter.emit(event.name, event);
      for (const listener of anyListeners) listener(event);
    },
    listenerCount: () => count,
  };
}
