// The pipeline bench's ceiling made of the stack's own DynamoDB calls: each made again exactly (its command and input), on a table of its own in the same emulator.
import * as dynamodb from '@aws-sdk/client-dynamodb';
import * as document from '@aws-sdk/lib-dynamodb';
import { DOCUMENT_TRANSLATION } from '#shared/adapters/dynamo/table.ts';
import { createEmptyTable } from '../local/emulators.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, TABLE_NAME } from '../local/settings.ts';
import { type LoggedCall, uncounted } from './call-counts.ts';

type Send = () => Promise<unknown>;

/** Renames the table in a command's input: its TableName, or its RequestItems' or TransactItems' keys. */
export function retarget(input: unknown, table: string): unknown {
  const copy = { ...(input as Record<string, unknown>) };
  if (copy.TableName === TABLE_NAME) copy.TableName = table;
  const requests = copy.RequestItems as Record<string, unknown> | undefined;
  if (requests)
    copy.RequestItems = Object.fromEntries(
      Object.entries(requests).map(([name, items]) => [name === TABLE_NAME ? table : name, items]),
    );
  const transact = copy.TransactItems as Array<Record<string, Record<string, unknown>>> | undefined;
  if (transact)
    copy.TransactItems = transact.map((item) =>
      Object.fromEntries(
        Object.entries(item).map(([op, body]) => [
          op,
          body.TableName === TABLE_NAME ? { ...body, TableName: table } : body,
        ]),
      ),
    );
  return copy;
}

/**
 * Clients that make the logged DynamoDB calls again, on a table named as the caller says: the
 * Document client with the table adapter's options (DOCUMENT_TRANSLATION), so each is
 * marshalled as the stack's was. Their own calls are not counted.
 */
export function replayer(endpoint: string) {
  const raw = new dynamodb.DynamoDBClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint });
  const doc = document.DynamoDBDocumentClient.from(raw, DOCUMENT_TRANSLATION);
  uncounted(raw);
  uncounted(doc);
  const classes = (isDocument: boolean) =>
    (isDocument ? document : dynamodb) as unknown as Record<string, new (input: unknown) => never>;
  /** What each refused call was refused with (a conditional write whose condition the replay did not meet…). */
  const refused = new Map<string, number>();
  /** The replayed single-item reads that found nothing. */
  const missed = { count: 0 };
  return {
    refused,
    missed,
    /** The logged call made again on `table`, a refusal counted rather than thrown. */
    call(logged: NonNullable<LoggedCall['dynamo']>, table: string): Send {
      const Command = classes(logged.document)[logged.command];
      if (!Command) throw new Error(`bench pipeline: no command ${logged.command} to replay`);
      const client = (logged.document ? doc : raw) as unknown as { send(command: never): Promise<unknown> };
      const get = logged.command === 'GetCommand' || logged.command === 'GetItemCommand';
      return () =>
        client.send(new Command(retarget(logged.input, table))).then(
          (answer) => {
            if (get && !(answer as { Item?: unknown }).Item) missed.count++;
          },
          (error: Error) => {
            refused.set(error.name, (refused.get(error.name) ?? 0) + 1);
          },
        );
    },
    /** A new empty table with the stack's keys and indexes. */
    async table(name: string) {
      await createEmptyTable(raw, name);
    },
    async drop(name: string) {
      await raw.send(new dynamodb.DeleteTableCommand({ TableName: name }));
    },
    destroy() {
      raw.destroy();
    },
  };
}
