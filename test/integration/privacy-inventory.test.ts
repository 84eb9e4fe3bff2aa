// PRIVACY.md against the table: every path that writes items driven on a stack of its own, then every attribute stored checked against the inventory.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignmentIdFor, starterIdFor } from '#shared/core/ids.ts';
import { LOCAL_CREDENTIALS } from '../../local/emulators.ts';
import { SIMULATOR } from '../../local/ses-simulator.ts';
import { LOCAL_REGION, TABLE_NAME } from '../../local/settings.ts';
import type { LocalStack } from '../../local/stack.ts';
import {
  ackLink,
  attestOn,
  emailsTo,
  evidenceOn,
  outageOn,
  postStarterTo,
  type StoredEmail,
  shownStamp,
  startPrivateStack,
  uniqueStarter,
  waitFor,
} from '../support/local.ts';
import {
  attributePaths,
  type ItemKind,
  isPersonal,
  itemKindOf,
  leafValues,
  names,
  readInventory,
} from '../support/privacy-inventory.ts';

// All three destinations, a chase that runs out in seconds, LMS retries that end in seconds.
const SETTINGS = {
  LMS_MODE: 'webhook,xapi,moodle',
  LMS_RETRY_SCHEDULE: 'PT1S,PT1S',
  LMS_TIMEOUT: 'PT1S',
  REMINDER_OFFSETS: 'PT2S,PT4S',
  ESCALATION_OFFSET: 'PT6S',
  SEND_WINDOW: 'always',
  SWEEP_INTERVAL: 'PT1S',
  DIGEST_DELAY: 'PT1S',
  REDRIVE_AFTER: 'PT3S',
};
const POLICY = 'safe-internet-use';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startPrivateStack(SETTINGS);
});

afterAll(async () => {
  await stack?.stop();
});

const mailbox = (address: string) => emailsTo(address, stack.urls.mailbox);
const mail = (address: string, subject: RegExp, timeoutMs = 20_000) =>
  waitFor(
    `"${subject}" to ${address}`,
    async () => (await mailbox(address)).find((e: StoredEmail) => subject.test(e.subject)),
    timeoutMs,
  );

/** A starter with a manager, posted as a signed HR event; answers their address and assignment id. */
async function starter(email?: string) {
  const event = uniqueStarter();
  const suffix = randomUUID().slice(0, 8);
  const data = {
    ...event.data,
    ...(email && { email }),
    manager: { name: 'Mary Manager', email: `manager.${suffix}@example.org` },
    // Every optional detail HR may send, so each is stored and checked.
    organization: 'Children’s Services',
    division: 'Early Help',
    location: 'Birkenhead',
    employmentType: 'permanent',
    jobTitle: 'Family Support Worker',
  };
  expect((await postStarterTo(stack, { ...event, data })).status).toBe(202);
  return {
    email: data.email as string,
    employeeId: data.employeeId as string,
    manager: data.manager.email,
    id: assignmentIdFor(data.employeeId as string, POLICY),
  };
}

/** Signs through the page as a browser does: the form read first, its page stamp sent back. */
async function signFromInvite(email: string) {
  const link = ackLink(await mail(email, /sign/i));
  const page = await (await fetch(link)).text();
  const response = await fetch(link, {
    method: 'POST',
    body: new URLSearchParams({ fullName: 'Ada Signer', agree: 'yes', shown: shownStamp(page) }),
  });
  expect(response.status).toBe(200);
}

type Lanes = Record<'webhook' | 'xapi' | 'moodle', { state: string } | undefined>;
/** Waits until each destination's delivery of the assignment is in the state asked. */
const settled = (id: string, want: Record<keyof Lanes, 'delivered' | 'dead'>) =>
  waitFor(
    `the deliveries ${JSON.stringify(want)}`,
    async () => {
      const found = await evidenceOn<Lanes>(stack, id);
      return Object.entries(want).every(([k, s]) => found[k as keyof Lanes]?.state === s) ? found : undefined;
    },
    20_000,
  );
/** Runs the CLI on the stack; a failure shows what it said. */
const cli = async (...argv: string[]) =>
  expect(await attestOn(stack, argv), argv.join(' ')).toMatchObject({ code: 0 });

/** SCIM as an identity provider calls it, with the stack's token. */
function scim(path: string, method: string, body: unknown) {
  return fetch(`${stack.urls.api}/scim/v2${path}`, {
    method,
    headers: {
      authorization: `Bearer ${stack.env.SCIM_TOKEN}`,
      'content-type': 'application/scim+json',
    },
    body: JSON.stringify(body),
  });
}

/** Every item of the table, read whole. */
async function scanTable(): Promise<Record<string, unknown>[]> {
  const client = new DynamoDBClient({
    endpoint: stack.urls.dynamodb,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    const items: Record<string, unknown>[] = [];
    const doc = DynamoDBDocumentClient.from(client);
    for await (const page of paginateScan({ client: doc }, { TableName: TABLE_NAME, ConsistentRead: true })) {
      items.push(...(page.Items ?? []));
    }
    return items;
  } finally {
    client.destroy();
  }
}

describe('PRIVACY.md’s inventory', () => {
  it('names every attribute the table stores, after every path that writes one', {
    timeout: 90_000,
  }, async () => {
    // Prepare: the inventory
    const inventory = readInventory();

    // Act: a chase that runs out (reminders, escalation, the manager's digest)
    const chased = await starter();
    // Act: an address that bounces (the manager's notice)
    const bounced = await starter(SIMULATOR.bounce);
    // Act: a signature through the page, delivered to all three destinations (a Moodle user to find)
    const signer = await starter();
    await fetch(`${stack.urls.lms}/moodle/users`, {
      method: 'POST',
      body: JSON.stringify({ email: signer.email }),
    });
    await signFromInvite(signer.email);
    await settled(signer.id, { webhook: 'delivered', xapi: 'delivered', moodle: 'delivered' });
    // Act: a signature the webhook answers 410 Gone (its destination disabled) and Moodle cannot
    // place (no user: retried, then dead-lettered with Moodle's word); the webhook enabled and replayed
    const refused = await starter();
    await outageOn(stack, 410, 'webhook');
    try {
      await signFromInvite(refused.email);
      await settled(refused.id, { webhook: 'dead', xapi: 'delivered', moodle: 'dead' });
    } finally {
      await outageOn(stack);
    }
    await cli('lms', 'enable', '--destination', 'webhook');
    await cli('lms', 'replay', '--assignment', refused.id, '--destination', 'webhook');
    // Act: a decline with a reason through the page (the manager and HR told), then an agreement
    const decliner = await starter();
    const declineLink = ackLink(await mail(decliner.email, /sign/i));
    const declinePage = await (await fetch(declineLink)).text();
    const declined = await fetch(declineLink, {
      method: 'POST',
      body: new URLSearchParams({
        decision: 'decline',
        fullName: 'Ada Decliner',
        reason: 'I cannot agree to clause 4 yet.',
        shown: shownStamp(declinePage),
      }),
    });
    expect(declined.status).toBe(200);
    await mail(decliner.manager, /does not agree/);
    await signFromInvite(decliner.email);
    // Act: a SCIM user provisioned, then deactivated (their ask cancelled)
    const suffix = randomUUID().slice(0, 8);
    const created = await scim('/Users', 'POST', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
      userName: `scim.${suffix}@example.org`,
      externalId: `ext-${suffix}`,
      name: { givenName: 'Sam', familyName: 'Scimson' },
      emails: [{ type: 'work', primary: true, value: `scim.${suffix}@example.org` }],
      active: true,
      [ENTERPRISE]: { employeeNumber: `S-${suffix}`, department: 'Fostering' },
    });
    expect(created.status).toBe(201);
    const { id: scimId } = (await created.json()) as { id: string };
    await mail(`scim.${suffix}@example.org`, /sign/i);
    const off = await scim(`/Users/${scimId}`, 'PATCH', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(off.status).toBe(200);
    // Act: an agreement made on paper, recorded on the person's behalf (its note and recorder)
    const offline = await starter();
    await cli(
      'accept-on-behalf',
      '--employee',
      offline.employeeId,
      '--policy',
      POLICY,
      '--note',
      'Signed the paper form at induction',
      '--by',
      'Grace Hopper',
    );
    // Wait for what the chase and the bounce send last
    await mail(bounced.manager, /^Could not reach /);
    await mail(chased.manager, /^Not yet signed/, 30_000);
    await mail(signer.email, /^Receipt/);

    // Act: a new version of the policy, re-asked of its signer and replacing the unsigned asks
    const policy = join(mkdtempSync(join(tmpdir(), 'attest-policy-')), `${POLICY}.md`);
    const text = readFileSync(new URL(`../../templates/policies/${POLICY}.md`, import.meta.url), 'utf8');
    writeFileSync(
      policy,
      text.replace('## Safeguarding Children', 'A new rule.\n\n## Safeguarding Children'),
    );
    await cli('policy', 'publish', policy, '--reacknowledge');

    // Act: a person erased once their replayed delivery is done (the erasure log, erased records)
    await settled(refused.id, { webhook: 'delivered', xapi: 'delivered', moodle: 'dead' });
    await cli('privacy', 'erase', '--employee', refused.employeeId, '--reason', 'Erasure request ref 7');

    // Act: read the table whole
    const items = await scanTable();

    // Assess: every item is of a kind the inventory lists, and every path stored is named
    const unknownKinds = items.filter((item) => !itemKindOf(item)).map((i) => `${i.pk} ${i.sk}`);
    expect(unknownKinds, 'items of no kind the inventory knows').toEqual([]);
    const stored = new Map<ItemKind, Set<string>>();
    for (const item of items) {
      const kind = itemKindOf(item) as ItemKind;
      const paths = stored.get(kind) ?? new Set<string>();
      for (const path of attributePaths(item)) paths.add(path);
      stored.set(kind, paths);
    }
    const unnamed = [...stored].flatMap(([kind, paths]) =>
      [...paths].filter((p) => !names(inventory, kind, p)).map((p) => `${kind} ${p}`),
    );
    expect(unnamed, 'attributes stored that PRIVACY.md does not list').toEqual([]);
    const kindsSeen = [...stored.keys()].sort();
    expect(kindsSeen).toEqual(inventory.items.map((i) => i.item).sort());

    // Assess: a subject access export holds every personal value the table stores of the person:
    // in their starter, their assignments, the audit trails and SES's reports under them. The chase
    // of the version just published still runs, so only items the same in a scan before the
    // export and one after it are compared (what changed between could be either way).
    for (const person of [chased, bounced, signer]) {
      const before = new Map((await scanTable()).map((i) => [`${i.pk}\0${i.sk}`, JSON.stringify(i)]));
      const exported = await attestOn(stack, ['privacy', 'export', '--employee', person.employeeId]);
      expect(exported.code).toBe(0);
      const items = (await scanTable()).filter((i) => before.get(`${i.pk}\0${i.sk}`) === JSON.stringify(i));
      const starterId = starterIdFor(person.employeeId);
      const partitions = new Set(
        items.filter((i) => itemKindOf(i) === 'assignment' && i.starterId === starterId).map((i) => i.pk),
      );
      const theirs = items.filter(
        (i) => i.pk === `STARTER#${starterId}` || (partitions.has(i.pk) && itemKindOf(i) !== undefined),
      );
      expect(theirs.length, `${person.employeeId}'s items unchanged across the export`).toBeGreaterThan(2);
      const missing = theirs.flatMap((item) => {
        const kind = itemKindOf(item) as ItemKind;
        return leafValues(item)
          .filter(({ path }) => path !== 'pk' && path !== 'sk' && isPersonal(inventory, kind, path))
          .filter(({ value }) => !exported.out.includes(JSON.stringify(value)))
          .map(({ path, value }) => `${kind} ${path} ${JSON.stringify(value)}`);
      });
      expect(missing, `personal values stored but not in ${person.employeeId}'s export`).toEqual([]);
    }
  });
});
