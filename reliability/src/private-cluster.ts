import { execFile } from "node:child_process";
import { chown, mkdtemp, readdir, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A PostgreSQL cluster of this process's own, in a temporary folder, on a free loopback port. */
export interface PrivateCluster {
  url: string;
  /** Stops the server (fast shutdown: open connections are cut). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its folder. */
  dispose(): Promise<void>;
}

export type ClusterLookup = { binaries: string; skipReason?: undefined } | { binaries?: undefined; skipReason: string };

/** Finds the newest PostgreSQL server binaries under /usr/lib/postgresql; without usable ones, returns the reason to skip. */
export async function findPostgresBinaries(): Promise<ClusterLookup> {
  const versions = await readdir("/usr/lib/postgresql").catch(() => [] as string[]);
  const newest = versions.filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) return { skipReason: "no PostgreSQL server binaries in /usr/lib/postgresql/<version>/bin; install Debian's postgresql package" };
  if (process.getuid?.() === 0) {
    const hasUser = await run("id", ["-u", "postgres"]).then(() => true, () => false);
    if (!hasUser) return { skipReason: "running as root, and initdb needs the postgres user to run as; create it or run as another user" };
  }
  return { binaries: `/usr/lib/postgresql/${newest}/bin` };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Runs a server binary, as the postgres user when this process is root (PostgreSQL refuses to run as root). */
async function runServerBinary(binaries: string, name: string, args: string[]): Promise<void> {
  const binary = path.join(binaries, name);
  if (process.getuid?.() === 0) await run("runuser", ["-u", "postgres", "--", binary, ...args]);
  else await run(binary, args);
}

/**
 * Creates a cluster with initdb in a new temporary folder and starts it on a free port, listening
 * on 127.0.0.1 and on a socket in that folder only, with trust authentication for the local user.
 */
export async function startPrivateCluster(binaries: string): Promise<PrivateCluster> {
  const folder = await mkdtemp(path.join(os.tmpdir(), "logmk-trial-cluster-"));
  if (process.getuid?.() === 0) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: group } = await run("id", ["-g", "postgres"]);
    await chown(folder, Number(stdout.trim()), Number(group.trim()));
  }
  const dataDir = path.join(folder, "data");
  const port = await freePort();
  await runServerBinary(binaries, "initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${folder} -c fsync=off`;
  const start = () => runServerBinary(binaries, "pg_ctl", ["-D", dataDir, "-o", options, "-l", path.join(folder, "server.log"), "-w", "-t", "30", "start"]);
  const stop = () => runServerBinary(binaries, "pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "-t", "30", "stop"]);
  await start();

  let running = true;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await stop();
      running = false;
    },
    async start() {
      await start();
      running = true;
    },
    async dispose() {
      if (running) await stop().catch(() => undefined);
      running = false;
      await rm(folder, { recursive: true, force: true });
    },
  };
}
