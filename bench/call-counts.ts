// The pipeline bench's count of the calls the stack makes, by client and command, on every thread its functions run on (this module is imported on each).
import { BroadcastChannel, isMainThread } from 'node:worker_threads';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client, type SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type Counts = Map<string, number>;

/** The calls counted so far, every thread's (read on the main thread). */
export const counts: Counts = new Map();
/** The addresses SES took an invite for. */
export const invited = new Set<string>();
/** The addresses SES took a receipt for (the certificate made, the email sent). */
export const receipted = new Set<string>();

/**
 * A DynamoDB call as a handler made it: its command's class (the Document client's, or the
 * low-level client's) and input, for the ceiling to make again (bench/replay.ts). Every other
 * call is logged by kind only.
 */
export interface LoggedCall {
  kind: string;
  dynamo?: { document: boolean; command: string; input: unknown };
}

/** Every call counted, in the order the main thread learnt of them (what the ceiling replays). */
export const log: LoggedCall[] = [];

type Counted =
  | { add: [key: string, n: number] }
  | { sent: 'invite' | 'receipt'; to: string[] }
  | { call: LoggedCall };

/**
 * Another thread's counts reach the main thread's on this channel (a BroadcastChannel reaches every
 * thread of the process that opens one of the same name), in the order they were made. Neither end
 * keeps its thread alive.
 */
const channel = new BroadcastChannel('attest-bench-pipeline-calls');
channel.unref();

/** Calls counted on the main thread so far, whichever thread made them (see `settled`). */
let recorded = 0;

/** Another thread's records not yet posted: posted together once its current work yields. */
let batch: Counted[] = [];

function record(message: Counted): void {
  if (!isMainThread) {
    if (batch.length === 0)
      setImmediate(() => {
        channel.postMessage(batch);
        batch = [];
      }).unref();
    batch.push(message);
    return;
  }
  recorded++;
  if ('add' in message) {
    const [key, n] = message.add;
    counts.set(key, (counts.get(key) ?? 0) + n);
  } else if ('call' in message) log.push(message.call);
  else for (const to of message.to) (message.sent === 'invite' ? invited : receipted).add(to);
}

if (isMainThread)
  channel.onmessage = (event) => {
    for (const message of (event as { data: Counted[] }).data) record(message);
  };

const add = (key: string, n = 1) => record({ add: [key, n] });

/** The Document client's commands by the DynamoDB operation each is. */
const DOCUMENT_OPERATIONS: Record<string, string> = {
  GetCommand: 'GetItem',
  PutCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  QueryCommand: 'Query',
  ScanCommand: 'Scan',
  BatchGetCommand: 'BatchGetItem',
  BatchWriteCommand: 'BatchWriteItem',
  TransactGetCommand: 'TransactGetItems',
  TransactWriteCommand: 'TransactWriteItems',
};

/** What an email the stack sent weighs, as SES receives it (its parts, attachments in base64). */
function emailSize(input: SendEmailCommandInput): number {
  const simple = input.Content?.Simple;
  const attachments = (simple?.Attachments ?? []).reduce(
    (sum, file) => sum + Math.ceil(((file.RawContent?.byteLength ?? 0) * 4) / 3),
    0,
  );
  return (simple?.Body?.Html?.Data?.length ?? 0) + (simple?.Body?.Text?.Data?.length ?? 0) + attachments;
}

/** Clients whose calls are not the stack's (the ceiling's): neither counted nor logged. */
const excluded = new WeakSet<object>();

/** Leaves `client`'s calls out of the counts and the log. */
export function uncounted(client: object): void {
  excluded.add(client);
}

/**
 * Counts every call of every client of `service` made in this thread (the handlers build their
 * own clients at load): `send` is wrapped on the client class's prototype. The Document client
 * sends through its own middleware, not its DynamoDB client's `send`, so it is wrapped too, each
 * of its commands counted as the operation it is.
 */
function countCalls(service: string, client: { prototype: { send: (...args: never[]) => unknown } }) {
  const send = client.prototype.send;
  client.prototype.send = function counted(this: object, ...args: never[]) {
    if (excluded.has(this)) return send.apply(this, args);
    const name = (args[0] as unknown as { constructor: { name: string } }).constructor.name;
    const operation = DOCUMENT_OPERATIONS[name] ?? name.replace(/Command$/, '');
    const key = `${service} ${operation}`;
    add(key);
    const command = args[0] as unknown as { input: unknown };
    // (A poll is logged once its answer says whether it found work: below.)
    if (operation !== 'ReceiveMessage')
      record({
        call: {
          kind: key,
          ...(service === 'DynamoDB' && {
            dynamo: { document: name in DOCUMENT_OPERATIONS, command: name, input: command.input },
          }),
        },
      });
    // The ceiling's emails weigh what the stack's did (a receipt carries its PDF certificate).
    if (key === 'SES SendEmail') {
      const { input } = args[0] as unknown as SendEmailCommand;
      add('SES SendEmail bytes', emailSize(input));
      // An invite or receipt SES answered is in its mailbox (it keeps each email before it answers).
      const kind = input.EmailTags?.find((tag) => tag.Name === 'kind')?.Value;
      if (kind === 'invite' || kind === 'receipt') {
        return (send.apply(this, args) as Promise<unknown>).then((answer) => {
          record({ sent: kind, to: input.Destination?.ToAddresses ?? [] });
          return answer;
        });
      }
    }
    const out = send.apply(this, args) as Promise<unknown>;
    // A call refused (a condition not met, say) is counted again under its refusal.
    out.then(
      // A read that found nothing: the replay's should find as little (bench/replay.ts).
      (answer) => {
        if (operation === 'GetItem' && !(answer as { Item?: unknown }).Item) add(`${key} found nothing`);
      },
      (error: Error) => add(`${key} refused: ${error.name}`),
    );
    if (operation !== 'ReceiveMessage') return out;
    // A poll that found nothing is a poller waiting, not work done: counted apart, not replayed.
    return (out as Promise<{ Messages?: unknown[] }>).then((answer) => {
      if (!answer.Messages?.length) {
        add(key, -1);
        add(`${key} (empty)`);
      } else record({ call: { kind: key } });
      return answer;
    });
  } as typeof send;
}

countCalls('DynamoDB', DynamoDBClient);
countCalls('DynamoDB', DynamoDBDocumentClient);
countCalls('SQS', SQSClient);
countCalls('SES', SESv2Client);

/**
 * Waits until no call has been counted for `quietMs`: the calls a unit's work makes after what a
 * phase waits for (a poller deleting the message whose email it sent, say) are counted in its
 * phase, not the next one's.
 */
export async function settled(quietMs = 300): Promise<void> {
  for (let seen = -1; seen !== recorded; ) {
    seen = recorded;
    await new Promise((r) => setTimeout(r, quietMs));
  }
}

/**
 * Whether a count says something of calls already counted under their own kind (refused, or a read
 * that found nothing) rather than counting calls of its own.
 */
export const isAboutCalls = (kind: string): boolean => / refused: | found nothing$/.test(kind);

export const snapshot = (): Counts => new Map(counts);

/** The calls counted since `before` (a snapshot). */
export const since = (before: Counts): Counts =>
  new Map(
    [...counts]
      .map(([key, n]) => [key, n - (before.get(key) ?? 0)] as [string, number])
      .filter(([, n]) => n > 0),
  );
