// The SQS, SES and Secrets Manager calls the functions make, through the adapters as a Lambda bundle carries them (infra/bundle.ts: the SDK's schemas rewritten by its plugin, its event-stream support left out), against the local stack's emulators; the store's are in test/contract/store.test.ts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import secretsManagerPackage from '@aws-sdk/client-secrets-manager/package.json' with { type: 'json' };
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/settings.ts';
import { type BundledAdapters, bundledAdapters } from '../support/bundled.ts';
import { emailsTo, stack, waitFor } from '../support/local.ts';

const client = (endpoint: string | undefined) => ({
  endpoint,
  region: LOCAL_REGION,
  credentials: LOCAL_CREDENTIALS,
});
// The emulator's queue URLs name *.localhost, which this process does not resolve: its endpoint instead.
const sqsClient = () => ({ ...client(stack().urls.sqs), useQueueUrlAsEndpoint: false });

const secretsManagerVersion = secretsManagerPackage.version;

let sdk: BundledAdapters;
beforeAll(async () => {
  sdk = await bundledAdapters();
}, 120_000);

describe('the bundled SQS adapter', () => {
  it('sends one message and a batch of twelve, each arriving as sent', async () => {
    // Prepare
    const sqs = new SQSClient(sqsClient());
    const { QueueUrl: url = '' } = await sqs.send(
      new CreateQueueCommand({ QueueName: `bundled-${process.pid}` }),
    );
    const queue = sdk.makeSqsQueue(url, new sdk.SQSClient(sqsClient()));
    const batch = Array.from({ length: 12 }, (_, i) => ({
      message: { assignmentId: `b-${i}`, kind: 'invite' as const },
    }));

    // Act
    await queue.send({ assignmentId: 'one', kind: 'reminder' }, 0);
    const failed = await queue.sendBatch(batch);

    // Assess
    expect(failed).toEqual([]);
    const bodies: unknown[] = [];
    await waitFor('the thirteen messages', async () => {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
      bodies.push(...(out.Messages ?? []).map((m) => JSON.parse(m.Body ?? '')));
      return bodies.length >= 13 || undefined;
    });
    expect(bodies).toHaveLength(13);
    expect(bodies).toContainEqual({ assignmentId: 'one', kind: 'reminder' });
    expect(bodies).toContainEqual({ assignmentId: 'b-11', kind: 'invite' });
    sqs.destroy();
  });
});

describe('the bundled SES adapter', () => {
  it('reads the account’s send quota and sends an email with an attachment', async () => {
    // Prepare
    const ses = new sdk.SESv2Client(client(stack().env.AWS_ENDPOINT_URL_SESV2));
    const mailer = sdk.makeSesMailer(
      { from: { address: 'onboarding@attest.example' }, configurationSet: 'attest' },
      ses,
    );
    const to = `bundled-${process.pid}@example.com`;

    // Act
    const quota = await sdk.readSesQuota(ses);
    const id = await mailer.send({
      to,
      subject: 'Bundled',
      html: '<p>Sent by the bundled SDK</p>',
      text: 'Sent by the bundled SDK',
      tags: { kind: 'invite' },
      attachments: [
        { fileName: 'a.txt', contentType: 'text/plain', content: new TextEncoder().encode('hello') },
      ],
    });

    // Assess: the shared stack's quota (test/support/global-setup.ts), and the email in the mailbox
    expect(quota).toMatchObject({ maxSendRate: 500 });
    expect(id).toMatch(/\S/);
    const [email] = await waitFor('the email', async () => {
      const emails = await emailsTo(to);
      return emails.length ? emails : undefined;
    });
    expect(email?.subject).toBe('Bundled');
    ses.destroy();
  });
});

describe('the bundled Secrets Manager calls', () => {
  // Secrets Manager as the bench meets it (bench/bundles.ts): a local endpoint of its JSON protocol.
  const secrets = new Map<string, { value: string; version: string }>([
    ['keys', { value: 'k1', version: 'v1' }],
  ]);
  const targets: string[] = [];
  const userAgents: string[] = [];
  let server: Server;
  let endpoint: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        const target = String(request.headers['x-amz-target']);
        targets.push(target);
        userAgents.push(String(request.headers['user-agent']));
        const input = JSON.parse(body) as { SecretId: string; SecretString?: string };
        response.setHeader('content-type', 'application/x-amz-json-1.1');
        const secret = secrets.get(input.SecretId);
        if (!secret) {
          response.statusCode = 400;
          response.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'no such secret' }));
        } else if (target.endsWith('.PutSecretValue')) {
          secrets.set(input.SecretId, { value: input.SecretString ?? '', version: 'v2' });
          response.end(JSON.stringify({ ARN: input.SecretId, VersionId: 'v2' }));
        } else {
          response.end(
            JSON.stringify({ ARN: input.SecretId, SecretString: secret.value, VersionId: secret.version }),
          );
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('reads and writes a secret, and names the error of one that does not exist', async () => {
    // Prepare
    const client = new sdk.SecretsManagerClient({
      endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });

    // Act
    const read = await sdk.secretsManagerVault(client, 'keys').read();
    await sdk.secretsManagerVault(client, 'keys').write('k2', 'v1');
    const missing = await sdk
      .secretsManagerVault(client, 'none')
      .read()
      .catch((error: unknown) => error);

    // Assess
    expect(read).toEqual({ value: 'k1', version: 'v1' });
    expect(secrets.get('keys')).toEqual({ value: 'k2', version: 'v2' });
    expect(targets).toEqual([
      'secretsmanager.GetSecretValue',
      'secretsmanager.GetSecretValue',
      'secretsmanager.PutSecretValue',
      'secretsmanager.GetSecretValue',
    ]);
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
    // The client's version, from the package.json the bundle keeps only its name and version of
    expect(userAgents[0]).toContain(`api/secrets-manager#${secretsManagerVersion}`);
    client.destroy();
  });
});
