// The local AWS emulators (dynalite, fauxqs, aws-ses-v2-local) and the resources the stack needs in them.
import { once } from 'node:events';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  type AttributeValue,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  PutItemCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import dynalite from 'dynalite';
import { buildApp, interceptLocalhostDns } from 'fauxqs';
import { TABLE_INDEXES } from '#shared/adapters/dynamo/table-indexes.ts';
import { repairIndexes, scanAll } from './index-repair.ts';
import { gateSesQuota, LOCAL_SES_QUOTA, type LocalSesQuota, type SesQuotaGate } from './ses-quota.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type LocalPorts, MAIL_QUEUE_NAME, TABLE_NAME } from './settings.ts';

// aws-ses-v2-local is CommonJS with its server as `exports.default`; ESM loaders (Node, tsx,
// vitest) disagree on what a default import of it is, while require() means one thing everywhere.
const startSes = createRequire(import.meta.url)('aws-ses-v2-local')
  .default as typeof import('aws-ses-v2-local').default;

// Defined with the other local settings, which the CLI reads without starting any emulator.
export { LOCAL_CREDENTIALS } from './settings.ts';

const HOST = '127.0.0.1';

export interface Emulators {
  endpoints: { dynamodb: string; sqs: string; ses: string };
  queues: { mail: string; mailDlq: string; lms: string; lmsDlq: string };
  /** The local SES's send quota (GetAccount, and 429 beyond it). */
  sesQuota: SesQuotaGate;
  stop(): Promise<void>;
}

async function listen(server: Server, port: number): Promise<number> {
  server.listen(port, HOST);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });

/** The table's definition under `name`: its keys and every index of TABLE_INDEXES. */
const tableDefinition = (name: string) => ({
  TableName: name,
  BillingMode: 'PAY_PER_REQUEST' as const,
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' as const },
    { AttributeName: 'sk', AttributeType: 'S' as const },
    ...TABLE_INDEXES.flatMap((index) => [
      { AttributeName: index.partitionKey, AttributeType: 'S' as const },
      { AttributeName: index.sortKey.name, AttributeType: index.sortKey.type },
    ]),
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' as const },
    { AttributeName: 'sk', KeyType: 'RANGE' as const },
  ],
  GlobalSecondaryIndexes: TABLE_INDEXES.map((index) => ({
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: index.sortKey.name, KeyType: 'RANGE' as const },
    ],
    Projection: index.include
      ? { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: index.include }
      : { ProjectionType: 'ALL' as const },
  })),
});

const listed = async (client: DynamoDBClient) =>
  ((await client.send(new ListTablesCommand({}))).TableNames ?? []).includes(TABLE_NAME);

/** Waits for a deleted table to go: dynalite finishes a delete after it answers. */
async function gone(client: DynamoDBClient): Promise<void> {
  for (let i = 0; i < 100 && (await listed(client)); i++) await new Promise((r) => setTimeout(r, 50));
  if (await listed(client)) throw new Error(`the old ${TABLE_NAME} table did not go`);
}

/**
 * Creates an empty table named `name` with every index, and waits for it to be usable: dynalite
 * finishes a create after it answers.
 */
export async function createEmptyTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(new CreateTableCommand(tableDefinition(name)));
  for (let i = 0; i < 100; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name })).catch(() => ({
      Table: undefined,
    }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the ${name} table did not become active`);
}

/**
 * Creates the table with every index, or, for data kept under .local/ by an older version whose
 * table lacks an index, rebuilds it with its items (dynalite cannot add an index to a table).
 */
async function createTable(client: DynamoDBClient): Promise<void> {
  let existing: Array<Record<string, AttributeValue>> = [];
  if (await listed(client)) {
    const table = await client
      .send(new DescribeTableCommand({ TableName: TABLE_NAME }))
      .then((out) => out.Table)
      // Listed but not described: left half-deleted by an interrupted run.
      .catch((error) => {
        if (error instanceof ResourceNotFoundException) return undefined;
        throw error;
      });
    const have = new Set((table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
    if (table && TABLE_INDEXES.every((index) => have.has(index.name))) return;
    if (table) existing = await scanAll(client, TABLE_NAME);
    await client.send(new DeleteTableCommand({ TableName: TABLE_NAME }));
    await gone(client);
  }
  await createEmptyTable(client, TABLE_NAME);
  for (const item of existing)
    await client.send(new PutItemCommand({ TableName: TABLE_NAME, Item: upgrade(item) }));
  await client
    .send(
      new UpdateTimeToLiveCommand({
        TableName: TABLE_NAME,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
    )
    .catch(() => undefined); // dynalite may not implement TTL; expiry is an AWS-side nicety.
}

/** An item as an older version wrote it, in today's shape: the LMS lane, the signers' index. */
function upgrade(item: Record<string, AttributeValue>): Record<string, AttributeValue> {
  const out = { ...item };
  if (out.dueKind?.S === 'lms' && out.dueAt && out.dueShard) {
    out.lmsDueAt = out.dueAt;
    out.lmsShard = out.dueShard;
    delete out.dueAt;
    delete out.dueKind;
    delete out.dueShard;
    delete out.leaseUntil;
  }
  const ack = out.ack?.M;
  if (ack?.policyId?.S && ack.policyVersion?.N && !out.signedPolicy) {
    out.signedPolicy = { S: ack.policyId.S };
    out.signedVersion = { N: ack.policyVersion.N };
  }
  return out;
}

async function createQueue(
  client: SQSClient,
  name: string,
  visibilitySeconds: number,
): Promise<{ url: string; dlq: string }> {
  const dlq = (await client.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl as string;
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }),
  );
  const url = (
    await client.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: {
          VisibilityTimeout: String(visibilitySeconds),
          // As on AWS: after five failed receives a message rests in the dead-letter queue. (On AWS
          // the DLQ also admits this queue alone, RedriveAllowPolicy; fauxqs 1.x has no such attribute.)
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: 5 }),
        },
      }),
    )
  ).QueueUrl as string;
  return { url, dlq };
}

export interface EmulatorOptions {
  ports: LocalPorts;
  /** Where dynalite keeps its data; undefined keeps it in memory. */
  dataDir: string | undefined;
  /** How long a received message stays invisible before it is retried. */
  visibilitySeconds: number;
  /** The local SES account's send quota (default LOCAL_SES_QUOTA, a new production account's). */
  sesQuota?: LocalSesQuota | undefined;
}

export async function startEmulators(options: EmulatorOptions): Promise<Emulators> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    await Promise.all(stops.map((fn) => fn()));
  };
  try {
    const dynamo = dynalite({
      ...(options.dataDir && { path: options.dataDir }),
      createTableMs: 0,
      deleteTableMs: 0,
    });
    const dynamoPort = await listen(dynamo, options.ports.dynamodb);
    // A stop that runs to its end leaves this mark; its absence at start means the last run died.
    const cleanStop = options.dataDir && join(options.dataDir, 'attest-stopped-cleanly');
    const crashed = cleanStop ? !existsSync(cleanStop) : false;
    if (cleanStop) rmSync(cleanStop, { force: true });
    stops.push(async () => {
      await closeServer(dynamo);
      if (cleanStop) writeFileSync(cleanStop, '');
    });
    // buildApp rather than startFauxqs: the latter listens on every interface, we want loopback only.
    const sqs = buildApp({ logger: false, defaultRegion: LOCAL_REGION });
    // Queue URLs are AWS-style (http://sqs.eu-west-2.localhost:port/…) and the SDK sends to the
    // queue URL's host. RFC 6761 makes *.localhost loopback, but glibc does not resolve it, so in
    // this process fauxqs's helper does.
    const restoreDns = interceptLocalhostDns();
    stops.push(async () => restoreDns());
    const sqsPort = Number(new URL(await sqs.listen({ port: options.ports.sqs, host: HOST })).port);
    stops.push(() => sqs.close());
    const ses = await startSes({ host: HOST, port: options.ports.ses });
    if (!ses.listening) await once(ses, 'listening');
    stops.push(() => closeServer(ses));
    const sesQuota = gateSesQuota(ses, options.sesQuota ?? LOCAL_SES_QUOTA);

    const endpoints = {
      dynamodb: `http://${HOST}:${dynamoPort}`,
      // The queue URLs' own host, so the SDK's endpoint and queue URLs agree (else it warns).
      sqs: `http://sqs.${LOCAL_REGION}.localhost:${sqsPort}`,
      ses: `http://${HOST}:${(ses.address() as AddressInfo).port}`,
    };
    const clientConfig = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    const ddb = new DynamoDBClient({ ...clientConfig, endpoint: endpoints.dynamodb });
    const sqsClient = new SQSClient({ ...clientConfig, endpoint: endpoints.sqs });
    try {
      await createTable(ddb);
      // dynalite writes an item's index entries before the item: a kill between the two leaves
      // them disagreeing (the sweeper could miss owed work), so after a crash they are put right.
      if (crashed) await repairIndexes(ddb, TABLE_NAME);
      const mail = await createQueue(sqsClient, MAIL_QUEUE_NAME, options.visibilitySeconds);
      const lms = await createQueue(sqsClient, 'attest-lms', options.visibilitySeconds);
      return {
        endpoints,
        queues: { mail: mail.url, mailDlq: mail.dlq, lms: lms.url, lmsDlq: lms.dlq },
        sesQuota,
        stop,
      };
    } finally {
      ddb.destroy();
      sqsClient.destroy();
    }
  } catch (error) {
    // Leave nothing listening behind a failed start (a port in use, say).
    await stop();
    throw error;
  }
}
