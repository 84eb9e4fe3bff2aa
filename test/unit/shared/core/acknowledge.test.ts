// Showing the policy (records nothing) and recording agreement exactly once, with all of its evidence.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { makeAcknowledgement } from '#shared/core/acknowledge.ts';
import { statementIdFor } from '#shared/core/destinations/delivery-ids.ts';
import { NotFoundError, TokenError } from '#shared/core/errors.ts';
import type { Assignment, DeliveryKind } from '#shared/core/model.ts';
import { parseTokenKeys, readShown, readShownStamp, signToken, stampShown } from '#shared/core/tokens.ts';
import {
  aWelshTranslation,
  FakeClock,
  FakeMetrics,
  FakeQueue,
  RETENTION,
  seededStore,
  silentLogger,
} from '../../../support/fakes.ts';

const tokenKeys = parseTokenKeys('k1:unit-test-token-key-unit-test-token-key');
const TOKEN_ID = 'AAAAAAAAAAA';
const REDRIVE_MS = 60_000;

async function setup(
  overrides: Partial<Assignment> = {},
  deliveries: readonly DeliveryKind[] = ['webhook'],
  seed: Parameters<typeof seededStore>[1] = {},
) {
  const clock = new FakeClock('2026-11-24T10:00:00.000Z');
  const seeded = await seededStore(
    {
      status: 'invited',
      dueAt: undefined,
      dueKind: undefined,
      // Two invites went out; the link used came in the second, SES message ses-42.
      sends: [
        { kind: 'invite', tokenId: 'BBBBBBBBBBB', messageId: 'ses-41', at: '2026-11-20T10:00:00.000Z' },
        { kind: 'invite', tokenId: TOKEN_ID, messageId: 'ses-42', at: '2026-11-23T10:00:00.000Z' },
      ],
      ...overrides,
    },
    seed,
  );
  const token = signToken(tokenKeys, {
    assignmentId: seeded.assignment.assignmentId,
    purpose: 'ack',
    expiresAt: new Date(clock.now().getTime() + 86400_000),
    tokenId: TOKEN_ID,
  });
  const lmsQueue = new FakeQueue();
  const mailQueue = new FakeQueue();
  const metrics = new FakeMetrics();
  const ack = makeAcknowledgement({
    metrics,
    store: seeded.store,
    lmsQueue,
    mailQueue,
    clock,
    logger: silentLogger,
    tokenKeys,
    deliveries,
    redriveAfterMs: REDRIVE_MS,
    freshLinkIntervalMs: 15 * 60_000,
    retention: RETENTION,
  });
  const submit = (fullName: string | undefined, agree: string | undefined, t = token, shown?: string) =>
    ack.recordAcknowledgement({
      token: t,
      fullName,
      agree,
      shown,
      ipAddress: '203.0.113.7',
      userAgent: 'Mozilla/5.0 (iPhone) Mobile Safari',
    });
  return { ...seeded, clock, token, lmsQueue, mailQueue, ack, submit, metrics };
}

/** The token with one character of its MAC changed. */
const tamper = (token: string) =>
  `${token.slice(0, -3)}${token.at(-3) === 'A' ? 'B' : 'A'}${token.slice(-2)}`;

describe('showAcknowledgement', () => {
  it('shows the form for the issued policy version and records nothing, however often it is opened', async () => {
    // Prepare
    const { store, ack, token, policy, assignment } = await setup();
    const before = store.peek(assignment.assignmentId);

    // Act
    const views = await Promise.all([ack.showAcknowledgement(token), ack.showAcknowledgement(token)]);

    // Assess
    const shown = stampShown(tokenKeys, TOKEN_ID, new Date('2026-11-24T10:00:00.000Z'));
    expect(views).toEqual([
      { kind: 'form', policy: { ...policy, language: 'en' }, shown },
      { kind: 'form', policy: { ...policy, language: 'en' }, shown },
    ]);
    expect(store.writes).toEqual([]);
    expect(store.audit).toEqual([]);
    expect(store.peek(assignment.assignmentId)).toEqual(before);
  });

  it('shows the receipt once the policy has been agreed to', async () => {
    // Prepare
    const { ack, token, submit } = await setup();
    await submit('Ada Lovelace', 'yes');

    // Act
    const view = await ack.showAcknowledgement(token);

    // Assess
    expect(view).toMatchObject({ kind: 'receipt', already: true, evidence: { typedName: 'Ada Lovelace' } });
  });

  it('says the request is withdrawn for a cancelled assignment', async () => {
    // Prepare
    const { ack, token } = await setup({ status: 'cancelled' });

    // Act
    const view = await ack.showAcknowledgement(token);

    // Assess
    expect(view).toEqual({ kind: 'withdrawn', language: 'en' });
  });

  it('says which newer version is asked for instead, for an ask withdrawn because of it', async () => {
    // Prepare
    const { ack, token } = await setup({
      status: 'cancelled',
      supersededBy: { assignmentId: 'newer', version: 2 },
    });

    // Act
    const shown = await ack.showAcknowledgement(token);
    const submitted = await ack.recordAcknowledgement({
      token,
      fullName: 'Ada Lovelace',
      agree: 'yes',
      ipAddress: '203.0.113.7',
      userAgent: 'test',
    });

    // Assess: the page points to the new version; nothing is signed for the old
    expect(shown).toEqual({ kind: 'withdrawn', newerVersion: 2, language: 'en' });
    expect(submitted).toEqual({ kind: 'withdrawn', newerVersion: 2, language: 'en' });
  });

  it('follows the asks that replaced it: the receipt of a signed one, the version of an unsigned one', async () => {
    // Prepare: v1 (this link) → v2 (withdrawn for v3) → v3
    const { ack, token, store, assignment, policy } = await setup({
      status: 'cancelled',
      supersededBy: { assignmentId: 'v2', version: 2 },
    });
    const v3 = { ...policy, version: 3, sha256: 'c'.repeat(64) };
    await store.putPolicyVersion(v3);
    const ask = (id: string, version: number, more: Partial<Assignment>): Assignment => ({
      ...assignment,
      assignmentId: id,
      policyVersion: version,
      sends: [],
      supersededBy: undefined,
      ...more,
    });
    store.seed(ask('v2', 2, { status: 'cancelled', supersededBy: { assignmentId: 'v3', version: 3 } }));
    store.seed(ask('v3', 3, { status: 'invited' }));

    // Act
    const unsigned = await ack.showAcknowledgement(token);
    store.seed(
      ask('v3', 3, {
        status: 'acknowledged',
        ack: { evidenceId: 'ev_v3', policyId: policy.policyId, policyVersion: 3 } as Assignment['ack'],
      }),
    );
    const signed = await ack.showAcknowledgement(token);
    store.seed(ask('v3', 3, { status: 'cancelled' }));
    const left = await ack.showAcknowledgement(token);

    // Assess
    expect(unsigned).toEqual({ kind: 'withdrawn', newerVersion: 3, language: 'en' });
    expect(signed).toMatchObject({
      kind: 'receipt',
      already: true,
      policy: { version: 3 },
      evidence: { evidenceId: 'ev_v3' },
    });
    expect(left).toEqual({ kind: 'withdrawn', language: 'en' });
  });

  it('throws a TokenError for a tampered token or one minted for another purpose', async () => {
    // Prepare
    const { ack, token, assignment, clock } = await setup();
    const resend = signToken(tokenKeys, {
      assignmentId: assignment.assignmentId,
      purpose: 'resend',
      expiresAt: new Date(clock.now().getTime() + 60_000),
      tokenId: TOKEN_ID,
    });

    // Assess
    await expect(ack.showAcknowledgement(tamper(token))).rejects.toBeInstanceOf(TokenError);
    await expect(ack.showAcknowledgement(resend)).rejects.toBeInstanceOf(TokenError);
  });

  it('treats a valid token for a vanished assignment as a dead link', async () => {
    // Prepare
    const { ack, token, store, assignment } = await setup();
    store.assignments.delete(assignment.assignmentId);

    // Assess
    await expect(ack.showAcknowledgement(token)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('recordAcknowledgement', () => {
  it('records every part of the evidence, including the message id of the email that carried the link', async () => {
    // Prepare
    const { store, submit, assignment, policy } = await setup();

    // Act
    const view = await submit('  Ada   Lovelace ', 'yes');

    // Assess
    const stored = store.peek(assignment.assignmentId);
    expect(stored?.ack).toEqual({
      evidenceId: expect.stringMatching(/^ev_[0-9a-f-]{36}$/),
      acknowledgedAt: '2026-11-24T10:00:00.000Z',
      policyId: policy.policyId,
      policyVersion: policy.version,
      policyTitle: policy.title,
      policySha256: policy.sha256,
      statement: policy.statement,
      locale: 'en',
      typedName: 'Ada Lovelace',
      method: 'link',
      ipAddress: '203.0.113.7',
      userAgent: 'Mozilla/5.0 (iPhone) Mobile Safari',
      tokenId: TOKEN_ID,
      messageId: 'ses-42',
    });
    expect(view).toEqual({
      kind: 'receipt',
      policy: { ...policy, language: 'en' },
      evidence: stored?.ack,
      already: false,
    });
  });

  it('owes the receipt and the LMS delivery in the same write, under a webhook id fixed now, and enqueues both', async () => {
    // Prepare
    const { store, submit, lmsQueue, mailQueue, assignment } = await setup();

    // Act
    await submit('Ada Lovelace', 'yes');

    // Assess
    const stored = store.peek(assignment.assignmentId);
    expect(stored).toMatchObject({
      status: 'acknowledged',
      dueKind: 'receipt',
      dueAt: '2026-11-24T10:01:00.000Z',
      webhookDueAt: '2026-11-24T10:01:00.000Z',
      webhook: { state: 'pending', attempts: 0, webhookId: `msg_${stored?.ack?.evidenceId.slice(3)}` },
    });
    expect(lmsQueue.sent).toEqual([
      { message: { assignmentId: assignment.assignmentId, kind: 'webhook' }, delaySeconds: undefined },
    ]);
    expect(mailQueue.sent).toEqual([
      { message: { assignmentId: assignment.assignmentId, kind: 'receipt' }, delaySeconds: undefined },
    ]);
    expect(store.audit.map((e) => [e.kind, e.detail])).toEqual([
      ['acknowledged', { evidenceId: stored?.ack?.evidenceId, tokenId: TOKEN_ID }],
    ]);
  });

  it('owes retention’s reduce-ip step RETAIN_AUDIT_IP after the agreement, in the same one write', async () => {
    // Prepare
    const { store, submit, assignment } = await setup();

    // Act
    await submit('Ada Lovelace', 'yes');

    // Assess
    expect(store.writes).toEqual(['recordAcknowledgement', 'appendAudit']);
    expect(store.peek(assignment.assignmentId)).toMatchObject({
      retainStep: 'reduce-ip',
      retainAt: '2027-11-24T10:00:00.000Z',
    });
  });

  it('owes both destinations in the one write, each under its id fixed now, and enqueues a delivery for each', async () => {
    // Prepare
    const { store, submit, lmsQueue, mailQueue, assignment } = await setup({}, ['webhook', 'xapi']);

    // Act
    const view = await submit('Ada Lovelace', 'yes');

    // Assess
    expect(view).toMatchObject({ kind: 'receipt', already: false });
    const stored = store.peek(assignment.assignmentId);
    const evidenceId = stored?.ack?.evidenceId as string;
    expect(stored).toMatchObject({
      status: 'acknowledged',
      dueKind: 'receipt',
      dueAt: '2026-11-24T10:01:00.000Z',
      webhookDueAt: '2026-11-24T10:01:00.000Z',
      xapiDueAt: '2026-11-24T10:01:00.000Z',
      webhook: { state: 'pending', attempts: 0, webhookId: `msg_${evidenceId.slice(3)}` },
      xapi: { state: 'pending', attempts: 0, statementId: statementIdFor(evidenceId) },
    });
    expect(store.writes.filter((w) => w === 'recordAcknowledgement')).toHaveLength(1);
    const message = (kind: string) => ({
      message: { assignmentId: assignment.assignmentId, kind },
      delaySeconds: undefined,
    });
    expect(lmsQueue.sent).toHaveLength(2);
    expect(lmsQueue.sent).toEqual(expect.arrayContaining([message('webhook'), message('xapi')]));
    expect(mailQueue.sent).toEqual([message('receipt')]);
  });

  it('owes only the xAPI statement when it is the only destination', async () => {
    // Prepare
    const { store, submit, lmsQueue, assignment } = await setup({}, ['xapi']);

    // Act
    await submit('Ada Lovelace', 'yes');

    // Assess
    const stored = store.peek(assignment.assignmentId);
    expect(stored).toMatchObject({
      xapiDueAt: '2026-11-24T10:01:00.000Z',
      xapi: { state: 'pending', attempts: 0, statementId: statementIdFor(stored?.ack?.evidenceId as string) },
    });
    expect(stored).not.toHaveProperty('webhook');
    expect(stored).not.toHaveProperty('webhookDueAt');
    expect(lmsQueue.sent).toEqual([
      { message: { assignmentId: assignment.assignmentId, kind: 'xapi' }, delaySeconds: undefined },
    ]);
  });

  it('dates the opening of the page from the form’s signed stamp, in the evidence and the audit trail', async () => {
    // Prepare: the form was shown at 09:52, and signed at 10:00
    const { store, submit, token, assignment } = await setup();
    const shown = stampShown(tokenKeys, TOKEN_ID, new Date('2026-11-24T09:52:00.000Z'));

    // Act
    await submit('Ada Lovelace', 'yes', token, shown);

    // Assess
    expect(store.peek(assignment.assignmentId)?.ack?.pageShownAt).toBe('2026-11-24T09:52:00.000Z');
    expect(store.audit.map((e) => [e.kind, e.at])).toEqual([
      ['opened', '2026-11-24T09:52:00.000Z'],
      ['acknowledged', '2026-11-24T10:00:00.000Z'],
    ]);
  });

  it.each([
    ['forged', 'k1.1795514000000.AAAAAAAAAAAAAAAAAAAAAA'],
    ['made for another link', stampShown(tokenKeys, 'BBBBBBBBBBB', new Date('2026-11-24T09:52:00.000Z'))],
    ['from the future', stampShown(tokenKeys, TOKEN_ID, new Date('2026-11-24T10:05:00.000Z'))],
    ['over a week old', stampShown(tokenKeys, TOKEN_ID, new Date('2026-11-16T10:00:00.000Z'))],
    ['garbage', '<script>'],
  ])('ignores a page stamp that is %s, and still records the agreement', async (_, shown) => {
    // Prepare
    const { store, submit, token, assignment } = await setup();

    // Act
    const view = await submit('Ada Lovelace', 'yes', token, shown);

    // Assess
    expect(view).toMatchObject({ kind: 'receipt', already: false });
    expect(store.peek(assignment.assignmentId)?.ack?.pageShownAt).toBeUndefined();
    expect(store.audit.map((e) => e.kind)).toEqual(['acknowledged']);
  });

  it('keeps the first stamp when the form is re-shown with an error', async () => {
    // Prepare
    const { submit, token } = await setup();
    const shown = stampShown(tokenKeys, TOKEN_ID, new Date('2026-11-24T09:52:00.000Z'));

    // Act
    const view = await submit('', 'yes', token, shown);

    // Assess
    expect(view).toMatchObject({ kind: 'form', shown });
    expect(readShown(tokenKeys, TOKEN_ID, shown, new Date('2026-11-24T10:00:00.000Z'))?.toISOString()).toBe(
      '2026-11-24T09:52:00.000Z',
    );
  });

  it('records no message id when the link came from no recorded email', async () => {
    // Prepare
    const { store, submit, assignment } = await setup({ sends: [] });

    // Act
    await submit('Ada Lovelace', 'yes');

    // Assess
    expect(store.peek(assignment.assignmentId)?.ack?.messageId).toBeNull();
  });

  it('counts each agreement recorded once, not the receipt shown to a second POST', async () => {
    // Prepare
    const { submit, metrics } = await setup();
    await submit('Ada Lovelace', 'yes');

    // Act
    await submit('Ada Lovelace', 'yes');

    // Assess
    expect(metrics.counted).toEqual([{ name: 'AcknowledgementRecorded', dimensions: {} }]);
  });

  it('names the email SES reported for the link’s attempt when a crash lost its send record', async () => {
    // Prepare: the invite whose link is used was sent, but the worker died before recording it.
    const { store, submit, assignment, clock } = await setup({ sends: [] });
    await store.recordSentAttempt(assignment.assignmentId, TOKEN_ID, 'ses-43', clock.now());

    // Act
    await submit('Ada Lovelace', 'yes');

    // Assess
    expect(store.peek(assignment.assignmentId)?.ack).toMatchObject({
      tokenId: TOKEN_ID,
      messageId: 'ses-43',
    });
  });

  it('keeps at most 512 characters of the user agent', async () => {
    // Prepare
    const { store, ack, token, assignment } = await setup();

    // Act
    await ack.recordAcknowledgement({
      token,
      fullName: 'Ada',
      agree: 'yes',
      ipAddress: '::1',
      userAgent: 'x'.repeat(2000),
    });

    // Assess
    expect(store.peek(assignment.assignmentId)?.ack?.userAgent).toHaveLength(512);
  });

  it.each([
    ['an empty name', '   ', 'yes', { fullName: 'form.nameMissing' }],
    ['a missing name', undefined, 'yes', { fullName: 'form.nameMissing' }],
    ['a name over 200 characters', 'A'.repeat(201), 'yes', { fullName: 'form.nameTooLong' }],
    ['an unticked box', 'Ada Lovelace', undefined, { agree: 'form.agreeMissing' }],
    ['both', '', 'no', { fullName: 'form.nameMissing', agree: 'form.agreeMissing' }],
  ])('re-shows the form for %s and stores nothing', async (_, name, agree, errors) => {
    // Prepare
    const { store, submit, lmsQueue, assignment, policy } = await setup();
    const before = store.peek(assignment.assignmentId);

    // Act
    const view = await submit(name, agree);

    // Assess
    expect(view).toEqual({
      kind: 'form',
      policy: { ...policy, language: 'en' },
      shown: stampShown(tokenKeys, TOKEN_ID, new Date('2026-11-24T10:00:00.000Z')),
      values: { fullName: (name ?? '').trim() },
      errors,
    });
    expect(store.writes).toEqual([]);
    expect(store.peek(assignment.assignmentId)).toEqual(before);
    expect(lmsQueue.sent).toEqual([]);
  });

  const UNSEEN = 'form.nameUnseen';
  const AS_LETTERS = 'form.nameLetters';
  it.each([
    ['a zero-width space', '\u200B', UNSEEN, ''],
    ['a NUL', '\u0000', UNSEEN, ''],
    ['a Hangul filler (a letter that draws nothing)', '\u3164', UNSEEN, ''],
    ['the other Hangul fillers', '\u115F\u1160\uFFA0', UNSEEN, ''],
    ['a braille blank', '\u2800\u2800', UNSEEN, ''],
    ['a right-to-left override', '\u202E', UNSEEN, ''],
    ['a BOM and a zero-width joiner', '\uFEFF\u200D', UNSEEN, ''],
    ['a name reversed by a right-to-left override', '\u202Eecalevol adA', UNSEEN, 'ecalevol adA'],
    ['a zero-width space inside a name', 'Ada\u200BLovelace', UNSEEN, 'AdaLovelace'],
    ['a line separator inside a name', 'Ada\u2028Lovelace', UNSEEN, 'AdaLovelace'],
    ['a carriage return and line feed', 'Ada\r\nLovelace', UNSEEN, 'AdaLovelace'],
    ['a private-use character', 'Ada\uE000', UNSEEN, 'Ada'],
    ['a variation selector after a Latin letter (it draws nothing)', 'Pat\uFE0FProbe', UNSEEN, 'PatProbe'],
    ['a variation selector after a space', 'Ada \u{E0100}Lovelace', UNSEEN, 'Ada Lovelace'],
    ['a second variation selector after a kanji', '葛\u{E0100}\u{E0100}城', UNSEEN, '葛\u{E0100}城'],
    ['a single letter', 'A', AS_LETTERS, 'A'],
    ['digits only', '42 7', AS_LETTERS, '42 7'],
    ['punctuation and marks only', '. - \u0301', AS_LETTERS, '. - \u0301'],
    ['no-break spaces only', '\u00A0\u3000\u00A0', 'form.nameMissing', ''],
  ])('refuses %s as a typed name, saying why, and stores nothing', async (_, name, error, reshown) => {
    // Prepare
    const { store, submit, lmsQueue, assignment } = await setup();
    const before = store.peek(assignment.assignmentId);

    // Act
    const view = await submit(name, 'yes');

    // Assess: the form again, its field error, the name re-shown without what cannot be seen
    expect(view).toMatchObject({ kind: 'form', values: { fullName: reshown }, errors: { fullName: error } });
    expect(store.writes).toEqual([]);
    expect(store.peek(assignment.assignmentId)).toEqual(before);
    expect(lmsQueue.sent).toEqual([]);
  });

  it.each([
    ['a decomposed name, stored composed (NFC)', 'Zoe\u0308 Bru\u0308ck', 'Zo\u00EB Br\u00FCck'],
    ['a name in Han characters', '李雷', '李雷'],
    [
      'a name written with its registered kanji form (an ideographic variation selector)',
      '葛\u{E0100}城',
      '葛\u{E0100}城',
    ],
    ['apostrophes, hyphens and diacritics', "Siobhán O'Brien-Nguyễn", "Siobhán O'Brien-Nguyễn"],
    [
      'a name with no-break and ideographic spaces, collapsed as before',
      'José\u00A0García\u3000Ruiz',
      'José García Ruiz',
    ],
    ['a two-letter name', 'Bo', 'Bo'],
  ])('records %s', async (_, name, typedName) => {
    // Prepare
    const { store, submit, assignment } = await setup();

    // Act
    const view = await submit(name, 'yes');

    // Assess
    expect(view).toMatchObject({ kind: 'receipt', already: false });
    expect(store.peek(assignment.assignmentId)?.ack?.typedName).toBe(typedName);
  });

  it('records only names of at least two letters, free of control, format and private-use characters', async () => {
    // Prepare: names mixing letters, marks, spaces and punctuation with what cannot be seen
    const piece = fc.oneof(
      {
        arbitrary: fc.constantFrom(
          'a',
          'Z',
          'é',
          'e\u0301',
          'ß',
          '李',
          'ㅎ',
          ' ',
          '\u00A0',
          '-',
          "'",
          '.',
          '1',
        ),
        weight: 12,
      },
      fc.constantFrom('\u200B', '\u0000', '\r', '\n', '\t', '\u3164', '\u2800', '\u202E', '\u2066'),
      fc.constantFrom(
        '\uFEFF',
        '\u200D',
        '\u200C',
        '\u00AD',
        '\uE000',
        '\u115F',
        '\uFFA0',
        '\u2028',
        '\u0301',
      ),
      fc.string({ unit: 'binary', maxLength: 2 }),
    );
    const names = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));

    const seen = { recorded: 0, refused: 0 };

    // Assess
    await fc.assert(
      fc.asyncProperty(names, async (name) => {
        const { store, submit, assignment } = await setup();
        const view = await submit(name, 'yes');
        const typed = store.peek(assignment.assignmentId)?.ack?.typedName;
        if (view.kind !== 'receipt') {
          seen.refused++;
          expect(view).toMatchObject({ kind: 'form', errors: { fullName: expect.any(String) } });
          expect(typed).toBeUndefined();
          return;
        }
        seen.recorded++;
        expect(typed).toBe(name.normalize('NFC').trim().replace(/\s+/g, ' '));
        expect((typed?.match(/\p{L}/gu) ?? []).length).toBeGreaterThanOrEqual(2);
        expect(typed).not.toMatch(/[\p{Cc}\p{Cf}\p{Co}\u3164\u2800]/u);
      }),
      { numRuns: 300, seed: 20261124 },
    );
    // Neither side of the property was vacuous.
    expect(seen.recorded).toBeGreaterThan(10);
    expect(seen.refused).toBeGreaterThan(10);
  });

  it('records one acknowledgement when 20 POSTs race, and every one of them gets its receipt', async () => {
    // Prepare
    const { store, submit, lmsQueue, assignment } = await setup();

    // Act
    const views = await Promise.all(Array.from({ length: 20 }, (_, i) => submit(`Person ${i}`, 'yes')));

    // Assess
    const evidence = store.peek(assignment.assignmentId)?.ack;
    expect(store.writes.filter((w) => w === 'recordAcknowledgement')).toHaveLength(20);
    expect(store.audit.filter((e) => e.kind === 'acknowledged')).toHaveLength(1);
    expect(views.every((v) => v.kind === 'receipt')).toBe(true);
    expect(views.filter((v) => v.kind === 'receipt' && !v.already)).toHaveLength(1);
    for (const v of views) expect(v).toMatchObject({ kind: 'receipt', evidence });
    expect(lmsQueue.sent).toHaveLength(1);
  });

  it('shows the existing receipt to a later POST and changes nothing', async () => {
    // Prepare
    const { store, submit, assignment } = await setup();
    await submit('Ada Lovelace', 'yes');
    const first = store.peek(assignment.assignmentId);

    // Act
    const view = await submit('Someone Else', 'yes');

    // Assess
    expect(view).toMatchObject({ kind: 'receipt', already: true, evidence: { typedName: 'Ada Lovelace' } });
    expect(store.peek(assignment.assignmentId)).toEqual(first);
  });

  it('says the request is withdrawn for a cancelled assignment and stores nothing', async () => {
    // Prepare
    const { store, submit, assignment } = await setup({ status: 'cancelled' });

    // Act
    const view = await submit('Ada Lovelace', 'yes');

    // Assess
    expect(view).toEqual({ kind: 'withdrawn', language: 'en' });
    expect(store.peek(assignment.assignmentId)?.ack).toBeUndefined();
  });

  it('says withdrawn when the cancellation lands between reading and writing', async () => {
    // Prepare
    const { store, submit, assignment } = await setup();
    const read = store.getAssignment.bind(store);
    store.getAssignment = async (id) => {
      const seen = await read(id);
      await store.cancelAssignment(id, new Date('2026-11-24T10:00:00Z'));
      return seen;
    };

    // Act
    const view = await submit('Ada Lovelace', 'yes');

    // Assess
    expect(view).toEqual({ kind: 'withdrawn', language: 'en' });
    expect(store.peek(assignment.assignmentId)).toMatchObject({ status: 'cancelled' });
    expect(store.peek(assignment.assignmentId)?.ack).toBeUndefined();
  });

  it('keeps the acknowledgement when both enqueues fail: receipt and delivery stay owed for the sweeper', async () => {
    // Prepare
    const { store, submit, lmsQueue, mailQueue } = await setup();
    lmsQueue.failWith = new Error('SQS down');
    mailQueue.failWith = new Error('SQS down');

    // Act
    const view = await submit('Ada Lovelace', 'yes');

    // Assess
    expect(view).toMatchObject({ kind: 'receipt', already: false });
    const due = await store.queryDue(new Date('2026-11-24T10:05:00Z'), 10);
    expect(due.map((d) => [d.dueKind, d.dueAt]).sort()).toEqual([
      ['receipt', '2026-11-24T10:01:00.000Z'],
      ['webhook', '2026-11-24T10:01:00.000Z'],
    ]);
  });

  it('throws a TokenError for a tampered token and stores nothing', async () => {
    // Prepare
    const { store, submit, token } = await setup();

    // Act
    const attempt = submit('Ada Lovelace', 'yes', tamper(token));

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(TokenError);
    expect(store.writes).toEqual([]);
  });
});

describe('the receipt’s time zone', () => {
  it('says the zone the ask kept from the starter, reading no other item', async () => {
    // Prepare: the profile says another zone, which the page must not need to read
    const { store, submit } = await setup({ timeZone: 'Asia/Tokyo' }, ['webhook'], {
      starter: { timeZone: 'Europe/London' },
    });
    const getStarter = vi.spyOn(store, 'getStarter');

    // Act
    const view = await submit('Ada Lovelace', 'yes');

    // Assess
    expect(view).toMatchObject({ kind: 'receipt', already: false, timeZone: 'Asia/Tokyo' });
    expect(getStarter).not.toHaveBeenCalled();
  });

  it('shows a later visit the zone the agreement was made in, not one the starter moved to since', async () => {
    // Prepare: signed in Tokyo; the starter then moved (a signed ask keeps its zone)
    const { store, submit, ack, token, assignment } = await setup({ timeZone: 'Asia/Tokyo' });
    await submit('Ada Lovelace', 'yes');
    await store.retold(assignment.assignmentId, { timeZone: 'Europe/London' });

    // Act
    const view = await ack.showAcknowledgement(token);

    // Assess
    expect(view).toMatchObject({ kind: 'receipt', already: true, timeZone: 'Asia/Tokyo' });
  });

  it('prefers the zone the certificate was made in, as the receipt email said it', async () => {
    // Prepare: the receipt went with a certificate made in New York
    const { store, submit, ack, token, assignment } = await setup({ timeZone: 'Asia/Tokyo' });
    await submit('Ada Lovelace', 'yes');
    store.seed({
      ...(store.peek(assignment.assignmentId) as Assignment),
      certificate: {
        sha256: 'c'.repeat(64),
        fileName: 'agreement-safe-internet-use-v3.pdf',
        organisationName: 'Example Council',
        timeZone: 'America/New_York',
        format: 1,
        madeAt: '2026-11-24T10:00:05.000Z',
      },
    });

    // Act
    const view = await ack.showAcknowledgement(token);

    // Assess
    expect(view).toMatchObject({ kind: 'receipt', timeZone: 'America/New_York' });
  });

  it('says no zone for an ask made before zones were kept (the page says UTC alone)', async () => {
    // Prepare
    const { submit, ack, token } = await setup();

    // Act
    const posted = await submit('Ada Lovelace', 'yes');
    const shown = await ack.showAcknowledgement(token);

    // Assess
    expect(posted).not.toHaveProperty('timeZone');
    expect(shown).not.toHaveProperty('timeZone');
  });
});

describe('an expired link', () => {
  it('offers a fresh link instead of the form, and accepting sends one to the address on file', async () => {
    // Prepare
    const { ack, token, clock, store, mailQueue, assignment } = await setup();
    clock.advance(2 * 86400_000);

    // Act
    const view = await ack.showAcknowledgement(token);
    const sent = view.kind === 'expired' ? await ack.requestFreshLink(view.resendToken) : view;

    // Assess
    expect(view.kind).toBe('expired');
    expect(sent).toEqual({ kind: 'fresh-link-sent', language: 'en' });
    expect(store.peek(assignment.assignmentId)).toMatchObject({
      dueKind: 'invite',
      dueAt: clock.now().toISOString(),
    });
    expect(mailQueue.sent).toEqual([
      { message: { assignmentId: assignment.assignmentId, kind: 'invite' }, delaySeconds: undefined },
    ]);
  });

  it('records nothing when an expired link is POSTed', async () => {
    // Prepare
    const { store, submit, clock, assignment } = await setup();
    clock.advance(2 * 86400_000);

    // Act
    const view = await submit('Ada Lovelace', 'yes');

    // Assess
    expect(view.kind).toBe('expired');
    expect(store.peek(assignment.assignmentId)?.ack).toBeUndefined();
  });

  it('sends at most one fresh link per interval, and answers the same either way', async () => {
    // Prepare
    const { ack, token, clock, mailQueue } = await setup();
    clock.advance(2 * 86400_000);
    const view = await ack.showAcknowledgement(token);
    if (view.kind !== 'expired') throw new Error(view.kind);

    // Act
    const answers = [
      await ack.requestFreshLink(view.resendToken),
      await ack.requestFreshLink(view.resendToken),
    ];
    clock.advance(16 * 60_000);
    const later = await ack.showAcknowledgement(token);
    if (later.kind !== 'expired') throw new Error(later.kind);
    const afterInterval = await ack.requestFreshLink(later.resendToken);

    // Assess
    expect(answers).toEqual([
      { kind: 'fresh-link-sent', language: 'en' },
      { kind: 'fresh-link-sent', language: 'en' },
    ]);
    expect(afterInterval).toEqual({ kind: 'fresh-link-sent', language: 'en' });
    expect(mailQueue.sent).toHaveLength(2);
  });

  it('shows the receipt, not an offer, when the policy was agreed to meanwhile', async () => {
    // Prepare
    const { ack, token, clock, submit } = await setup();
    await submit('Ada Lovelace', 'yes');
    clock.advance(2 * 86400_000);

    // Act
    const view = await ack.showAcknowledgement(token);

    // Assess
    expect(view).toMatchObject({ kind: 'receipt', already: true });
  });

  it('names the newer version to sign, with no fresh link, when the ask was withdrawn for it', async () => {
    // Prepare: an expired link, and a fresh-link button pressed after the ask was moved to v2
    const { ack, token, clock, store, mailQueue, assignment } = await setup();
    clock.advance(2 * 86400_000);
    const offer = await ack.showAcknowledgement(token);
    if (offer.kind !== 'expired') throw new Error(offer.kind);
    await store.cancelAssignment(assignment.assignmentId, clock.now(), { assignmentId: 'v2', version: 2 });

    // Act
    const view = await ack.showAcknowledgement(token);
    const pressed = await ack.requestFreshLink(offer.resendToken);

    // Assess: nothing sent for the old version
    expect(view).toEqual({ kind: 'withdrawn', newerVersion: 2, language: 'en' });
    expect(pressed).toEqual({ kind: 'withdrawn', newerVersion: 2, language: 'en' });
    expect(mailQueue.sent).toEqual([]);
  });

  it('refuses an acknowledgement token used as a resend token', async () => {
    // Prepare
    const { ack, token } = await setup();

    // Assess
    await expect(ack.requestFreshLink(token)).rejects.toBeInstanceOf(TokenError);
  });
});

describe('a link emailed to an address since replaced', () => {
  // The link used went out on 23 November at 10:00 (setup); HR corrected the address at noon.
  const corrected = { emailSince: '2026-11-23T12:00:00.000Z' };

  it('signs nothing: the expired-link page instead, whose button mails the address on file', async () => {
    // Prepare
    const { ack, submit, store, mailQueue, lmsQueue, assignment } = await setup(corrected);

    // Act
    const agreed = await submit('Someone Else', 'yes');
    const declined = await ack.recordDecline({
      token: signToken(tokenKeys, {
        assignmentId: assignment.assignmentId,
        purpose: 'ack',
        expiresAt: new Date('2026-11-25T10:00:00.000Z'),
        tokenId: TOKEN_ID,
      }),
      fullName: 'Someone Else',
      reason: 'Not mine to sign',
      ipAddress: '203.0.113.7',
      userAgent: 'Mozilla/5.0',
    });
    const sent = agreed.kind === 'expired' ? await ack.requestFreshLink(agreed.resendToken) : agreed;

    // Assess
    expect(agreed).toMatchObject({ kind: 'expired', language: 'en' });
    expect(declined).toMatchObject({ kind: 'expired' });
    expect(store.peek(assignment.assignmentId)?.ack).toBeUndefined();
    expect(store.peek(assignment.assignmentId)?.declines ?? []).toEqual([]);
    expect(lmsQueue.sent).toEqual([]);
    expect(sent).toEqual({ kind: 'fresh-link-sent', language: 'en' });
    expect(mailQueue.sent).toEqual([
      { message: { assignmentId: assignment.assignmentId, kind: 'invite' }, delaySeconds: undefined },
    ]);
  });

  it('signs from a link emailed after the change, and from any link of a starter whose address never changed', async () => {
    // Prepare
    const later = await setup({ emailSince: '2026-11-22T12:00:00.000Z' });
    const unchanged = await setup();

    // Act
    const views = [await later.submit('Ada Lovelace', 'yes'), await unchanged.submit('Ada Lovelace', 'yes')];

    // Assess
    expect(views.map((v) => v.kind)).toEqual(['receipt', 'receipt']);
  });

  it('once the person signed from a link to their new address, shows the old link no receipt: a link not valid, fresh or expired', async () => {
    // Prepare: signed from the link sent after the correction (its send dated after emailSince)
    const { ack, submit, store, clock, assignment, token } = await setup({
      emailSince: '2026-11-23T12:00:00.000Z',
      sends: [
        { kind: 'invite', tokenId: TOKEN_ID, messageId: 'ses-42', at: '2026-11-23T10:00:00.000Z' },
        { kind: 'invite', tokenId: 'CCCCCCCCCCC', messageId: 'ses-43', at: '2026-11-23T13:00:00.000Z' },
      ],
    });
    const fresh = signToken(tokenKeys, {
      assignmentId: assignment.assignmentId,
      purpose: 'ack',
      expiresAt: new Date(clock.now().getTime() + 86400_000),
      tokenId: 'CCCCCCCCCCC',
    });
    expect(await submit('Ada Lovelace', 'yes', fresh)).toMatchObject({ kind: 'receipt' });
    const expiredOld = signToken(tokenKeys, {
      assignmentId: assignment.assignmentId,
      purpose: 'ack',
      expiresAt: new Date(clock.now().getTime() - 1000),
      tokenId: TOKEN_ID,
    });

    // Act
    const shown = [
      ack.showAcknowledgement(token),
      ack.showAcknowledgement(expiredOld),
      submit('Someone', 'yes'),
    ];
    const own = await ack.showAcknowledgement(fresh);

    // Assess: the old link's holder sees nothing of the agreement; the person's own link shows it
    for (const view of shown) await expect(view).rejects.toBeInstanceOf(NotFoundError);
    expect(own).toMatchObject({ kind: 'receipt', evidence: { typedName: 'Ada Lovelace' } });
    expect(store.peek(assignment.assignmentId)?.ack?.typedName).toBe('Ada Lovelace');
  });
});

describe('the language shown', () => {
  const welsh = aWelshTranslation();
  const translated = { policy: { translations: { cy: welsh } } };

  it('speaks the language the link’s email was written in, without reading the starter', async () => {
    // Prepare: the invite carrying the link went in Welsh; the profile would say English now
    const sends = [
      {
        kind: 'invite' as const,
        tokenId: TOKEN_ID,
        messageId: 'ses-42',
        at: '2026-11-23T10:00:00.000Z',
        language: 'cy',
      },
    ];
    const { ack, token, store } = await setup({ sends }, ['webhook'], {
      ...translated,
      starter: { locale: 'en-GB' },
    });
    const getStarter = vi.spyOn(store, 'getStarter');

    // Act
    const view = await ack.showAcknowledgement(token);

    // Assess
    expect(view).toMatchObject({ kind: 'form', policy: { language: 'cy' } });
    expect(getStarter).not.toHaveBeenCalled();
  });

  it('reads the starter’s locale for a link whose email kept no language (sent before it was kept)', async () => {
    // Prepare
    const { ack, token, store } = await setup({}, ['webhook'], {
      ...translated,
      starter: { locale: 'cy-GB' },
    });
    const getStarter = vi.spyOn(store, 'getStarter');

    // Act
    const view = await ack.showAcknowledgement(token);

    // Assess
    expect(view).toMatchObject({ kind: 'form', policy: { language: 'cy' } });
    expect(getStarter).toHaveBeenCalledTimes(1);
  });

  it('shows a Welsh starter the Welsh text, its own sha256, and signs the language into the stamp', async () => {
    // Prepare
    const { ack, token, policy } = await setup({}, ['webhook'], {
      ...translated,
      starter: { locale: 'cy-GB' },
    });

    // Act
    const view = await ack.showAcknowledgement(token);

    // Assess
    expect(view).toMatchObject({
      kind: 'form',
      policy: {
        language: 'cy',
        title: welsh.title,
        body: welsh.body,
        sha256: welsh.sha256,
        version: policy.version,
      },
      shown: stampShown(tokenKeys, TOKEN_ID, new Date('2026-11-24T10:00:00.000Z'), 'cy'),
    });
  });

  it('records that Welsh was shown, and the sha256 and statement of the Welsh text', async () => {
    // Prepare
    const { ack, token, submit, store, assignment } = await setup({}, ['webhook'], {
      ...translated,
      starter: { locale: 'cy' },
    });
    const form = await ack.showAcknowledgement(token);
    const shown = form.kind === 'form' ? form.shown : '';

    // Act
    const view = await submit('Ada Lovelace', 'yes', token, shown);

    // Assess
    expect(view).toMatchObject({ kind: 'receipt', policy: { language: 'cy', title: welsh.title } });
    expect(store.peek(assignment.assignmentId)?.ack).toMatchObject({
      locale: 'cy',
      policySha256: welsh.sha256,
      policyTitle: welsh.title,
      statement: welsh.statement,
    });
  });

  it('records the language the page showed, though the starter’s locale changed before signing', async () => {
    // Prepare: shown in Welsh, then HR changes the locale to English.
    const { ack, token, submit, store, assignment, starter } = await setup({}, ['webhook'], {
      ...translated,
      starter: { locale: 'cy-GB' },
    });
    const form = await ack.showAcknowledgement(token);
    await store.putStarter({ ...starter, locale: 'en-GB' });

    // Act
    await submit('Ada Lovelace', 'yes', token, form.kind === 'form' ? form.shown : '');

    // Assess
    expect(store.peek(assignment.assignmentId)?.ack).toMatchObject({
      locale: 'cy',
      policySha256: welsh.sha256,
    });
  });

  it('falls back to the starter’s language now when the stamp is missing', async () => {
    // Prepare
    const { submit, store, assignment } = await setup({}, ['webhook'], {
      ...translated,
      starter: { locale: 'cy' },
    });

    // Act
    await submit('Ada Lovelace', 'yes');

    // Assess
    expect(store.peek(assignment.assignmentId)?.ack).toMatchObject({
      locale: 'cy',
      policySha256: welsh.sha256,
    });
  });

  it.each([
    ['a locale with no translation', 'fr-FR', translated],
    ['a Welsh starter whose policy has no Welsh text', 'cy-GB', {}],
    ['a locale that is not one', 'not a locale!', translated],
  ])('shows English to %s', async (_, locale, seed) => {
    // Prepare
    const { ack, token, submit, store, assignment, policy } = await setup({}, ['webhook'], {
      ...seed,
      starter: { locale },
    });

    // Act
    const view = await ack.showAcknowledgement(token);
    await submit('Ada Lovelace', 'yes', token, view.kind === 'form' ? view.shown : '');

    // Assess
    expect(view).toMatchObject({ kind: 'form', policy: { language: 'en', title: policy.title } });
    expect(store.peek(assignment.assignmentId)?.ack).toMatchObject({
      locale: 'en',
      policySha256: policy.sha256,
    });
  });

  it('says a withdrawn request in the starter’s language', async () => {
    // Prepare
    const { ack, token } = await setup({ status: 'cancelled' }, ['webhook'], {
      ...translated,
      starter: { locale: 'cy' },
    });

    // Act
    const view = await ack.showAcknowledgement(token);

    // Assess
    expect(view).toEqual({ kind: 'withdrawn', language: 'cy' });
  });
});

describe('readShownStamp', () => {
  it('reads back the language a stamp signs, and refuses one whose language was changed', () => {
    // Prepare
    const at = new Date('2026-11-24T10:00:00.000Z');
    const stamp = stampShown(tokenKeys, TOKEN_ID, at, 'cy');

    // Act
    const read = readShownStamp(tokenKeys, TOKEN_ID, stamp, at);
    const forged = readShownStamp(tokenKeys, TOKEN_ID, stamp.replace('.cy.', '.en.'), at);
    const dropped = readShownStamp(tokenKeys, TOKEN_ID, stamp.replace('.cy.', '.'), at);

    // Assess
    expect(read).toEqual({ at, language: 'cy' });
    expect(forged).toBeUndefined();
    expect(dropped).toBeUndefined();
  });

  it('reads an English stamp, made as stamps were before languages, as English', () => {
    // Prepare
    const at = new Date('2026-11-24T10:00:00.000Z');

    // Act
    const read = readShownStamp(tokenKeys, TOKEN_ID, stampShown(tokenKeys, TOKEN_ID, at), at);

    // Assess
    expect(read).toEqual({ at, language: 'en' });
    expect(stampShown(tokenKeys, TOKEN_ID, at)).toMatch(/^k1\.\d+\.[A-Za-z0-9_-]{22}$/);
  });
});

describe('how the page and the agreement read', () => {
  it('reads the page eventually consistently: it records nothing', async () => {
    // Prepare
    const { ack, token, store } = await setup();
    const getAssignment = vi.spyOn(store, 'getAssignment');

    // Act
    await ack.showAcknowledgement(token);

    // Assess
    expect(getAssignment).toHaveBeenCalledWith(expect.any(String), 'eventual');
  });

  it('reads the assignment strongly before recording an agreement: the evidence names what it read', async () => {
    // Prepare
    const { submit, store } = await setup();
    const getAssignment = vi.spyOn(store, 'getAssignment');

    // Act
    await submit('Ada Lovelace', 'yes');

    // Assess
    expect(getAssignment).toHaveBeenCalledTimes(1);
    expect(getAssignment.mock.calls[0]?.[1] ?? 'strong').toBe('strong');
  });

  it('appends the page’s opening and the agreement to the audit trail together', async () => {
    // Prepare
    const { ack, token, store, submit } = await setup();
    const view = await ack.showAcknowledgement(token);
    const shown = view.kind === 'form' ? view.shown : undefined;
    const appendAudits = vi.spyOn(store, 'appendAudits');

    // Act
    await submit('Ada Lovelace', 'yes', token, shown);

    // Assess
    expect(appendAudits).toHaveBeenCalledTimes(1);
    expect(appendAudits.mock.calls[0]?.[1].map((e) => e.kind)).toEqual(['opened', 'acknowledged']);
  });
});
