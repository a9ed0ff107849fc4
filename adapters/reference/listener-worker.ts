/**
 * The listener thread's entry: builds this thread's client and the listener (with the
 * variant's classes, if the configuration names a variant), builds the handlers, says ready,
 * and runs the loop until stop.
 */

import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { LoggingConfig } from './config.js';
import { Listener, installListenerClient, type ListenerMessage, type ListenerVariant } from './listener.js';
import { createClient, loadVariant, type SharedSetup } from './logger.js';
import { LISTENER_DEAD } from './queue.js';

export interface ListenerData {
  readonly setup: SharedSetup;
  readonly config: LoggingConfig;
  readonly port: MessagePort;
}

const data = workerData as ListenerData;
const parent = parentPort;
if (parent === null) throw new Error('listener-worker.js must run as a worker thread: this is a reference logger bug');
const post = (message: ListenerMessage): void => parent.postMessage(message);

let started = false;
let client: ReturnType<typeof createClient> | undefined;
try {
  const variant = data.setup.variant !== undefined ? ((await loadVariant(data.setup.variant)) as ListenerVariant) : undefined;
  client = createClient(data.setup, variant);
  installListenerClient(client, variant);
  const Impl = variant?.listener ?? Listener;
  const listener = new Impl(client.queue, client, { setup: data.setup, config: data.config, port: data.port, post });
  await listener.start(data.config);
  started = true;
  post({ type: 'ready' });
  await listener.run();
} catch (error: unknown) {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  // Flushers and stop() must not wait their whole deadline on a listener that is gone.
  client?.queue.setListenerState(LISTENER_DEAD);
  post(started ? { type: 'failed', message: `the listener thread failed: ${message}` } : { type: 'failed', message });
}
