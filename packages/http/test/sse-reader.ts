import { expect } from "vitest";

/** One message of a Server-Sent Events stream, as a client parses it. */
export interface SseMessage {
  event?: string;
  id?: string;
  data?: string;
  /** Text of a comment line (`: text`). */
  comment?: string;
}

/** Reads a `text/event-stream` body message by message, as EventSource would. */
export class SseReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = "";
  private readonly parsed: SseMessage[] = [];
  ended = false;

  constructor(body: ReadableStream<Uint8Array> | null) {
    if (!body) throw new Error("The response has no body");
    this.reader = body.getReader();
  }

  /** Reads one chunk from the stream and parses the complete messages in it. Returns false at the end. */
  async readChunk(): Promise<boolean> {
    const { done, value } = await this.reader.read();
    if (done) {
      this.ended = true;
      return false;
    }
    this.buffer += this.decoder.decode(value, { stream: true });
    let boundary = this.buffer.indexOf("\n\n");
    while (boundary !== -1) {
      this.parsed.push(parseMessage(this.buffer.slice(0, boundary)));
      this.buffer = this.buffer.slice(boundary + 2);
      boundary = this.buffer.indexOf("\n\n");
    }
    return true;
  }

  /** Returns the next message, reading more chunks as needed, or undefined once the stream ended. */
  async next(): Promise<SseMessage | undefined> {
    while (this.parsed.length === 0) {
      if (!(await this.readChunk())) return undefined;
    }
    return this.parsed.shift();
  }

  /** Returns the messages up to and including the first that matches, and throws if the stream ends before. */
  async until(predicate: (message: SseMessage) => boolean): Promise<SseMessage[]> {
    const messages: SseMessage[] = [];
    for (;;) {
      const message = await this.next();
      if (message === undefined) throw new Error(`The stream ended after ${messages.length} messages without the expected one`);
      messages.push(message);
      if (predicate(message)) return messages;
    }
  }

  /** Returns the messages parsed so far and not yet returned, without reading. */
  drainParsed(): SseMessage[] {
    return this.parsed.splice(0);
  }

  cancel(): Promise<void> {
    return this.reader.cancel();
  }
}

function parseMessage(block: string): SseMessage {
  const message: SseMessage = {};
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) {
      message.comment = line.slice(1).trim();
      continue;
    }
    const separator = line.indexOf(":");
    const field = separator === -1 ? line : line.slice(0, separator);
    const value = separator === -1 ? "" : line.slice(separator + 1).replace(/^ /, "");
    if (field === "event") message.event = value;
    else if (field === "id") message.id = value;
    else if (field === "data") message.data = message.data === undefined ? value : `${message.data}\n${value}`;
  }
  return message;
}

/** Keeps the queue events of a list of messages, dropping comments and control events. */
export function queueEvents(messages: SseMessage[]): SseMessage[] {
  return messages.filter((message) => message.event?.startsWith("QueueItem"));
}

/**
 * Opens an event stream through `request`, checks that it is one, and reads its first message,
 * which the app sends as soon as the subscription is in place.
 */
export async function openSseStream(request: (path: string, init?: RequestInit) => Promise<Response>, path: string, init?: RequestInit): Promise<SseReader> {
  const response = await request(path, init);
  expect(response.status).toBe(200);
  expect(response.headers.get("Content-Type")).toBe("text/event-stream; charset=utf-8");
  const reader = new SseReader(response.body);
  expect(await reader.next()).toEqual({ comment: "connected" });
  return reader;
}
