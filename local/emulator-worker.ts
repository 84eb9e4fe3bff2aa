// The emulators' thread: starts them (and the mailbox kept on disk) and answers the stack's requests about them.
import { parentPort, workerData } from 'node:worker_threads';
import { type EmulatorOptions, startEmulators } from './emulators.ts';
import { keepMailbox } from './ses-mailbox.ts';
import type { LocalSesQuota } from './ses-quota.ts';
import { failed } from './thread.ts';

export type EmulatorRequest =
  | { id: number; type: 'setQuota'; quota: LocalSesQuota }
  | { id: number; type: 'refused' }
  | { id: number; type: 'stop' };

const port = parentPort;
if (!port) throw new Error('local/emulator-worker.ts runs as a worker thread (local/emulator-thread.ts)');
const options = workerData as EmulatorOptions;

try {
  const emulators = await startEmulators(options);
  // With a data directory the mailbox outlives the process, as SES's does (local/ses-mailbox.ts).
  const forget = options.dataDir ? keepMailbox(options.dataDir) : undefined;
  port.on('message', async (request: EmulatorRequest) => {
    if (request.type === 'setQuota') {
      emulators.sesQuota.set(request.quota);
      port.postMessage({ id: request.id });
    } else if (request.type === 'refused') {
      port.postMessage({ id: request.id, result: emulators.sesQuota.refused() });
    } else {
      forget?.();
      await emulators.stop();
      port.postMessage({ id: request.id });
      port.close();
    }
  });
  port.postMessage({ type: 'started', endpoints: emulators.endpoints, queues: emulators.queues });
} catch (error) {
  port.postMessage(failed(error));
  port.close();
}
