// The emulators on a thread of their own, as AWS's services run apart from the functions: the handlers' work and theirs do not queue on one thread.
import type { EventLoopUtilization } from 'node:perf_hooks';
import { interceptLocalhostDns } from 'fauxqs';
import type { EmulatorRequest } from './emulator-worker.ts';
import type { EmulatorOptions, Emulators } from './emulators.ts';
import type { LocalSesQuota } from './ses-quota.ts';
import { startThread } from './thread.ts';

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
  const thread = await startThread<EmulatorRequest, Pick<Emulators, 'endpoints' | 'queues'>>(
    new URL('./emulator-thread.mjs', import.meta.url),
    options,
  );
  const restoreDns = interceptLocalhostDns();
  return {
    endpoints: thread.ready.endpoints,
    queues: thread.ready.queues,
    sesQuota: {
      async set(quota) {
        await thread.ask({ type: 'setQuota', quota });
      },
      async refused() {
        return (await thread.ask({ type: 'refused' })) as { rate: number; daily: number };
      },
    },
    utilization: thread.utilization,
    async stop() {
      // Stopped in the thread (the data directory marked as cleanly stopped), then the thread ended.
      await thread.stop({ type: 'stop' });
      restoreDns();
    },
  };
}
