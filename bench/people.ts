// The pipeline bench's HR system and people, on a thread of their own: they are other machines, so their requests' work is not the stack's thread's.
import { randomUUID } from 'node:crypto';
import { parentPort, Worker } from 'node:worker_threads';
import { Webhook } from 'standardwebhooks';
import { postSignedStarter } from './measure.ts';

/** What the thread is asked to do: post starters as HR does, or sign links as people do, `concurrency` at a time. */
export type PeopleTask =
  | { kind: 'starters'; api: string; secret: string; events: string[]; concurrency: number }
  | { kind: 'agree'; links: string[]; concurrency: number };

type Answer = { done: true } | { error: string };

/** Runs `work(i)` for i in 0..n-1, `concurrency` at a time. */
export async function pool(
  n: number,
  concurrency: number,
  work: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) await work(next++);
    }),
  );
}

/** Signs as the page's form does: a POST of the typed name and the ticked box. */
async function agree(link: string): Promise<void> {
  const response = await fetch(link, {
    method: 'POST',
    body: new URLSearchParams({ fullName: 'Ada Lovelace', agree: 'yes', shown: '' }),
    redirect: 'manual',
  });
  if (response.status !== 200) throw new Error(`bench pipeline: agreement answered ${response.status}`);
  await response.arrayBuffer();
}

async function perform(task: PeopleTask): Promise<void> {
  if (task.kind === 'agree') {
    await pool(task.links.length, task.concurrency, (i) => agree(task.links[i] as string));
    return;
  }
  const webhook = new Webhook(task.secret);
  await pool(task.events.length, task.concurrency, async (i) => {
    const status = await postSignedStarter(
      task.api,
      webhook,
      `msg_${randomUUID()}`,
      task.events[i] as string,
    );
    if (status !== 202) throw new Error(`bench pipeline: starter answered ${status}`);
  });
}

/** The people's thread, started once a run: `run(task)` resolves when every request of it was answered. */
export function startPeople() {
  const worker = new Worker(new URL('./people-thread.mjs', import.meta.url));
  let pending: { resolve: () => void; reject: (error: Error) => void } | undefined;
  worker.on('message', (answer: Answer) => {
    const waiting = pending;
    pending = undefined;
    if ('error' in answer) waiting?.reject(new Error(answer.error));
    else waiting?.resolve();
  });
  worker.on('error', (error) => {
    pending?.reject(error);
    pending = undefined;
  });
  return {
    run(task: PeopleTask): Promise<void> {
      if (pending) return Promise.reject(new Error('bench pipeline: the people are still busy'));
      return new Promise<void>((resolve, reject) => {
        pending = { resolve, reject };
        worker.postMessage(task);
      });
    },
    stop: () => worker.terminate(),
  };
}

// In the people's thread: each task as it comes, answered when done.
if (parentPort) {
  const port = parentPort;
  port.on('message', (task: PeopleTask) => {
    perform(task).then(
      () => port.postMessage({ done: true } satisfies Answer),
      (error: Error) => port.postMessage({ error: error.message } satisfies Answer),
    );
  });
}
