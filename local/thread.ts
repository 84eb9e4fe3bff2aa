// A thread of the local stack's (the emulators', the queue functions'): started, asked by numbered messages, ended.
import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

type Answer = { id: number; result?: unknown };
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
/** What a thread posts once ready (with what it has to tell), or instead when it could not start. */
export type Started<T> = { type: 'started' } & T;
export type Failed = { type: 'failed'; message: string; code?: string };

export interface Thread<Request extends { id: number }, Ready> {
  /** What the thread posted once ready. */
  ready: Ready;
  /** Asks the thread and waits for its answer. */
  ask(request: WithoutId<Request>): Promise<unknown>;
  /** How busy the thread has been (since `since`, a reading of this), as `performance.eventLoopUtilization` counts. */
  utilization(since?: EventLoopUtilization): EventLoopUtilization;
  /** Asks the thread to stop (`stop`, which it answers once stopped), then ends it. */
  stop(request: WithoutId<Request>): Promise<void>;
}

/**
 * Starts `script` (a `.mjs` that loads TypeScript through tsx and imports the thread's module) with
 * `workerData`, and waits for it to post `started` or `failed` (then this rejects with its message
 * and code). Any other message without an id goes to `onEvent`.
 */
export async function startThread<Request extends { id: number }, Ready extends object>(
  script: URL,
  workerData: unknown,
  onEvent: (message: unknown) => void = () => undefined,
): Promise<Thread<Request, Ready>> {
  const worker = new Worker(script, { workerData });
  let next = 0;
  const waiting = new Map<number, (answer: Answer) => void>();
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  const ready = await new Promise<Ready>((resolve, reject) => {
    worker.on('message', (message: Answer | Started<Ready> | Failed | { type: string }) => {
      if ('id' in message) {
        waiting.get(message.id)?.(message);
        waiting.delete(message.id);
      } else if (message.type === 'started') {
        const { type: _, ...rest } = message as Started<Ready>;
        resolve(rest as unknown as Ready);
      } else if (message.type === 'failed') {
        const { message: text, code } = message as Failed;
        reject(Object.assign(new Error(text), code ? { code } : {}));
      } else onEvent(message);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the thread ${script.pathname} stopped (${code})`)));
  });
  const ask = (request: WithoutId<Request>) =>
    new Promise<unknown>((resolve) => {
      const id = next++;
      waiting.set(id, (answer) => resolve(answer.result));
      worker.postMessage({ ...request, id });
    });
  return {
    ready,
    ask,
    utilization: (since) => worker.performance.eventLoopUtilization(since),
    async stop(request) {
      await ask(request);
      await worker.terminate();
      await exited;
    },
  };
}

/** What a thread posts when it could not start: the error's message and code, which the stack reports. */
export function failed(error: unknown): Failed {
  const { message, code } = error as NodeJS.ErrnoException;
  return { type: 'failed', message, ...(code && { code }) };
}
