/**
 * A loopback TCP collector for adapters whose logger ships records over TCP: every complete
 * line it receives goes to the run's sink file, in arrival order; bytes after the last newline
 * of a connection that ends are dropped (and so read as lost records).
 *
 * It runs in the run's main thread, started by the adapter's `setup()`. Its handles are
 * unref'd: whether the process exits by itself is the logger's business, not the collector's.
 */

import { appendFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';

export interface Collector {
  readonly host: string;
  readonly port: number;
  /** Stops accepting, waits (bounded by the caller's deadline) until every client has hung up. */
  close(): Promise<void>;
}

export async function startCollector(file: string): Promise<Collector> {
  const sockets = new Set<Socket>();
  const closed = new Set<Promise<void>>();
  const server = createServer((socket) => {
    socket.unref();
    sockets.add(socket);
    let pending = '';
    socket.setEncoding('utf8');
    // When: bytes arrive; only whole lines are written, the rest waits for its newline.
    socket.on('data', (chunk: string) => {
      pending += chunk;
      const nl = pending.lastIndexOf('\n');
      if (nl < 0) return;
      appendFileSync(file, pending.slice(0, nl + 1));
      pending = pending.slice(nl + 1);
    });
    // When: a client resets; what it sent is already written, the rest is the logger's loss.
    socket.on('error', () => undefined);
    closed.add(
      new Promise<void>((resolve) => {
        socket.once('close', () => {
          sockets.delete(socket);
          resolve();
        });
      }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.unref();
  const address = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port: address.port,
    close: async () => {
      server.close();
      await Promise.all([...closed]);
    },
  };
}
