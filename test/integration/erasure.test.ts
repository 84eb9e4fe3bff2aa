// Erasure as a Data Protection Officer meets it, through `npx attest` on the local stack: someone signs, their data is exported, they are erased, the evidence still proves the agreement, and a scan of the table finds none of their names or addresses.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { assignmentIdFor } from '#shared/core/ids.ts';
import {
  ackLink,
  attestOn,
  emailsTo,
  postStarter,
  shell,
  stack,
  uniqueStarter,
  waitFor,
} from '../support/local.ts';

/** Every item of the local table, as text: what anyone reading the table could read. */
async function scanTable(): Promise<string> {
  const s = stack();
  const client = new DynamoDBClient({
    endpoint: s.urls.dynamodb,
    region: s.env.AWS_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const items: unknown[] = [];
    const pages = paginateScan(
      { client: DynamoDBDocumentClient.from(client) },
      { TableName: s.env.TABLE_NAME },
    );
    for await (const page of pages) items.push(...(page.Items ?? []));
    return JSON.stringify(items);
  } finally {
    client.destroy();
  }
}

/** Someone with names and addresses no other test has, who signs from their invite in a browser of their own. */
async function someoneWhoSigns() {
  const suffix = randomUUID().slice(0, 8);
  const event = uniqueStarter();
  const person = {
    givenName: `Ottoline${suffix}`,
    familyName: `Fairweather-Nakamura${suffix}`,
    email: `ottoline.fairweather.${suffix}@example.org`,
    manager: { name: `Peregrine Ashcombe${suffix}`, email: `peregrine.${suffix}@example.org` },
    typedName: `Ottoline F. Nakamura ${suffix}`,
    userAgent: `Mozilla/5.0 (X11) ErasureProbe/${suffix}`,
  };
  Object.assign(event.data, {
    givenName: person.givenName,
    familyName: person.familyName,
    email: person.email,
    manager: person.manager,
  });
  expect((await postStarter(event)).status).toBe(202);
  const invite = await waitFor('the invite', async () => (await emailsTo(person.email))[0]);
  const signed = await fetch(ackLink(invite), {
    method: 'POST',
    headers: { 'user-agent': person.userAgent },
    body: new URLSearchParams({ fullName: person.typedName, agree: 'yes' }),
  });
  expect(signed.status).toBe(200);
  const employeeId = event.data.employeeId as string;
  const id = assignmentIdFor(employeeId, 'safe-internet-use');
  // Its receipt sent and every LMS delivery done (delivered or dead): nothing in flight.
  await waitFor('the receipt and the deliveries', async () => {
    const { out } = await attestOn(stack(), ['evidence', id]);
    const report = JSON.parse(out) as Record<string, { state?: string } | null> & {
      emails: Array<{ kind: string }>;
    };
    const pending = ['webhook', 'xapi', 'moodle'].some((kind) => report[kind]?.state === 'pending');
    return !pending && report.emails.some((e) => e.kind === 'receipt') ? true : undefined;
  });
  return { event, person, employeeId, id };
}

const KEY = { PSEUDONYM_KEY: 'erasure-test-pseudonym-key-0123456789abcdef' };

describe('attest privacy erase', { timeout: 180_000 }, () => {
  it('erases a person who signed: the evidence shows a pseudonym with integrity true, and the table holds none of their names or addresses', async () => {
    // Prepare: someone signs; their export names them
    const { event, person, employeeId } = await someoneWhoSigns();
    const exported = await shell('npx attest privacy export --employee "$EMPLOYEE"', {
      EMPLOYEE: employeeId,
    });
    expect(exported.out).toContain(person.typedName);
    const originals = [
      person.givenName,
      person.familyName,
      person.email,
      person.manager.name,
      person.manager.email,
      person.typedName,
      person.userAgent,
      employeeId,
    ];

    // Act
    const erased = await shell(
      'npx attest privacy erase --employee "$EMPLOYEE" --reason "Erasure request ref DPO-42" --by "dpo@attest.example"',
      { EMPLOYEE: employeeId, ...KEY },
    );

    // Assess: what it said
    expect(erased.err).toBe('');
    expect(erased.code).toBe(0);
    const pseudonym = /^Erased .+: now (erased-[0-9a-f]{20})\.$/m.exec(erased.out)?.[1] as string;
    expect(pseudonym).toBeDefined();
    expect(erased.out).toContain('Logged: ');
    expect(erased.out).toContain('by dpo@attest.example, reason "Erasure request ref DPO-42"');

    // The evidence, found by the pseudonym, still proves the agreement.
    const shown = await shell('npx attest evidence --employee "$P" --policy safe-internet-use', {
      P: pseudonym,
    });
    expect(shown.code).toBe(0);
    const evidence = JSON.parse(shown.out) as {
      starter: { employeeId: string; name: string; email: string };
      evidence: { typedName: string; statement: string; evidenceId: string; policySha256: string };
      integrity: { matches: boolean };
      erasedAt: string;
      status: string;
    };
    expect(evidence.integrity.matches).toBe(true);
    expect(evidence.status).toBe('acknowledged');
    expect(evidence.starter.employeeId).toBe(pseudonym);
    expect(evidence.starter.name).toBe(pseudonym);
    expect(evidence.evidence.typedName).toMatch(/^erased-/);
    expect(evidence.evidence.evidenceId).toMatch(/^ev_/);
    expect(evidence.erasedAt).toEqual(expect.any(String));

    // A scan of the whole table finds none of their names or addresses.
    const table = await scanTable();
    for (const value of originals) expect(table).not.toContain(value);

    // Given their address and the key, the record is shown to be theirs; without the key, not.
    const proved = await shell('npx attest privacy prove --email "$EMAIL"', { EMAIL: person.email, ...KEY });
    expect([proved.code, proved.out]).toEqual([0, expect.stringContaining(pseudonym)]);
    const otherKey = await shell('npx attest privacy prove --email "$EMAIL"', { EMAIL: person.email });
    expect(otherKey.code).toBe(1);
    expect(otherKey.err).toContain('no erased person has');

    // Running it again changes nothing and says so.
    const again = await shell(
      'npx attest privacy erase --employee "$EMPLOYEE" --reason "Second request ref 43"',
      {
        EMPLOYEE: employeeId,
        ...KEY,
      },
    );
    expect(again.code).toBe(0);
    expect(again.out).toContain('was erased before');
    const shownAgain = await shell('npx attest evidence --employee "$P" --policy safe-internet-use', {
      P: pseudonym,
    });
    expect(shownAgain.out).toBe(shown.out);

    // HR's retry of the old event cannot bring their data back.
    const retried = await postStarter({ ...event, id: `${event.id}-again` });
    expect(retried.status).toBe(409);
    expect(await retried.json()).toMatchObject({ type: 'urn:attest:problem:starter.erased', status: 409 });
    for (const value of originals) expect(await scanTable()).not.toContain(value);

    // The log, kept outside the table for a restore, names nobody.
    const log = await shell('npx attest privacy erasures');
    expect(log.code).toBe(0);
    const entries = JSON.parse(log.out) as Array<{ pseudonym: string; by: string; reason: string }>;
    expect(entries).toContainEqual(
      expect.objectContaining({ pseudonym, by: 'dpo@attest.example', reason: 'Erasure request ref DPO-42' }),
    );
    for (const value of originals) expect(log.out).not.toContain(value);
  });

  it('refuses a reason that names the person, changing nothing, with exit 2', async () => {
    // Prepare
    const { person, employeeId } = await someoneWhoSigns();
    const before = await scanTable();

    // Act
    const refused = await shell('npx attest privacy erase --employee "$EMPLOYEE" --reason "$REASON"', {
      EMPLOYEE: employeeId,
      REASON: `${person.givenName} asked us to`,
      ...KEY,
    });

    // Assess
    expect(refused.code).toBe(2);
    expect(refused.out).toBe('');
    expect(refused.err).toContain('The reason names the person');
    expect(await scanTable()).toContain(person.email);
    expect(before).toContain(person.typedName);
  });
});
