// The emulators on a thread of their own, as AWS's services run apart from the functions: the handlers' work and theirs do not queue on one thread.
import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { interceptLocalhostDns } from 'fauxqs';
import type { EmulatorRequest } from './emulator-worker.ts';
import type { EmulatorOptions, Emulators } from './emulators.ts';
import type { LocalSesQuota } from './ses-quota.ts';

type Answer = { id: number; result?: unknown };
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Started = { type: 'started'; endpoints: Emulators['endpoints']; queues: Emulators['queues'] };
type Failed = { type: 'failed'; message: string; code?: string };

export interface EmulatorThread extends Omit<Emulators, 'sesQuota'> {
  /** The local SES's send quota, on the emulators' thread. */
  sesQuota: {
    set(quota: LocalSesQuota): Promise<void>;
    refused(): Promise<{ rate: number; daily: number }>;
  };
  /**
   * How busy the emulators' thread has been (since `since`, a reading of this): its event loop's
   * active and idle milliseconds, as `performance.eventLoopUtilization` counts them.
   */
  utilization(since?: EventLoopUtilization): EventLoopUtilization;
}

/**
 * Starts the emulators (local/emulators.ts) on a worker thread, with the mailbox kept in
 * `options.dataDir` when given. The process's death ends the thread with it, as a kill ends the
 * emulators today. This thread resolves the queues' `*.localhost` names itself (fauxqs's helper),
 * as the handlers' SQS clients live here.
 */
export async function startEmulatorThread(options: EmulatorOptions): Promise<EmulatorThread> {
  const worker = new Worker(new URL('./emulator-thread.mjs', import.meta.url), { workerData: options });
  let next = 0;
  const waiting = new Map<number, (answer: Answer) => void>();
  const ask = (request: WithoutId<EmulatorRequest>) =>
    new Promise<Answer>((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      worker.postMessage({ ...request, id });
    });
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  const started = await new Promise<Started>((resolve, reject) => {
    worker.on('message', (message: Answer | Started | Failed) => {
      if ('type' in message && message.type === 'started') resolve(message);
      else if ('type' in message && message.type === 'failed') {
        reject(Object.assign(new Error(message.message), message.code ? { code: message.code } : {}));
      } else if ('id' in message) {
        waiting.get(message.id)?.(message);
        waiting.delete(message.id);
      }
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the emulators' thread stopped (${code})`)));
  });
  const restoreDns = interceptLocalhostDns();
  return {
    endpoints: started.endpoints,
    queues: started.queues,
    sesQuota: {
      async set(quota) {
        await ask({ type: 'setQuota', quota });
      },
      async refused() {
        return (await ask({ type: 'refused' })).result as { rate: number; daily: number };
      },
    },
    utilization: (since) => worker.performance.eventLoopUtilization(since),
    async stop() {
      // Stopped in the thread (the data directory marked as cleanly stopped), then the thread ended.
      await ask({ type: 'stop' });
      await worker.terminate();
      await exited;
      restoreDns();
    },
  };
}
