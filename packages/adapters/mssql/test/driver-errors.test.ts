import { type AddressInfo, type Server, type Socket, createServer } from "node:net";
import { createMssqlLogTarget } from "@logmk/workqueue-mssql";
import { afterEach, describe, expect, it } from "vitest";

/** Starts a TCP server on loopback that treats each connection with `onConnection`. */
async function loopbackServer(onConnection: (socket: Socket) => void): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port, sockets };
}

function connectionString(port: number): string {
  return `Server=127.0.0.1,${port};Database=logmk;User Id=sa;Password=unused;Encrypt=false;Connect Timeout=2`;
}

describe("driver errors from a real connection", () => {
  const cleanups: Array<() => Promise<void>> = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function failureOf(port: number): Promise<{ error: unknown; kind: string | null }> {
    const target = createMssqlLogTarget({ connectionString: connectionString(port) });
    cleanups.push(() => target.close());
    const error = await target.maxLogId().then(
      () => null,
      (caught: unknown) => caught,
    );
    return { error, kind: target.classifyError(error) };
  }

  async function serve(onConnection: (socket: Socket) => void): Promise<number> {
    const { server, port, sockets } = await loopbackServer(onConnection);
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return port;
  }

  it("classifies a refused connection", async () => {
    const { server, port } = await loopbackServer(() => {});
    await new Promise<void>((resolve) => server.close(() => resolve()));

    const { error, kind } = await failureOf(port);

    expect((error as { code?: string }).code).toBe("ESOCKET");
    expect(kind).toBe("connection");
  });

  it("classifies a connection the server drops", async () => {
    const port = await serve((socket) => socket.destroy());

    const { kind } = await failureOf(port);

    expect(kind).toBe("connection");
  });

  it("classifies a login that times out", async () => {
    const port = await serve(() => {});

    const { error, kind } = await failureOf(port);

    expect((error as { code?: string }).code).toBe("ETIMEOUT");
    expect(kind).toBe("connection");
  });
});
