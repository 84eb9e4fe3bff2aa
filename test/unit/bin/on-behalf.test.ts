// `attest accept-on-behalf`: an agreement made offline recorded for a person; a note and a name required (exit 2), not found or withdrawn exit 1, a second run changes nothing.
import { describe, expect, it } from 'vitest';
import type { Assignment } from '#shared/core/model.ts';
import { type CliDeps, runCli } from '../../../bin/attest.ts';
import { aWelshTranslation, FakeQueue, type FakeStore, seededStore } from '../../support/fakes.ts';

const NOW = '2026-11-26T10:00:00.000Z';
const NOTE = 'Signed the paper form at induction, 25 November';

async function cli(argv: string[], store: FakeStore, more: Partial<CliDeps> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const mailQueue = new FakeQueue();
  const code = await runCli(argv, {
    store,
    mailQueue,
    io: { out: (t) => out.push(t), err: (t) => err.push(t) },
    now: () => new Date(NOW),
    ...more,
  });
  return { code, out, err, mailQueue };
}

async function seeded(overrides: Partial<Assignment> = {}) {
  return seededStore({
    status: 'invited',
    dueKind: 'reminder',
    dueAt: '2026-11-27T09:00:00.000Z',
    ...overrides,
  });
}

const args = (...more: string[]) => [
  'accept-on-behalf',
  '--employee',
  'E1001',
  '--policy',
  'safe-internet-use',
  ...more,
];

describe('attest accept-on-behalf', () => {
  it('records the agreement on behalf, with the note and recorder, owes the LMS of LMS_MODE now, and says so', async () => {
    // Prepare
    const { store, assignment } = await seeded();

    // Act
    const { code, out, err, mailQueue } = await cli(args('--note', NOTE, '--by', 'Grace Hopper'), store, {
      deliveries: ['webhook', 'xapi'],
    });

    // Assess
    expect({ code, err }).toEqual({ code: 0, err: [] });
    const stored = store.peek(assignment.assignmentId);
    expect(stored?.ack).toMatchObject({
      method: 'on-behalf',
      note: NOTE,
      recordedBy: 'Grace Hopper',
      ipAddress: null,
      tokenId: null,
      acknowledgedAt: NOW,
    });
    expect(out).toEqual([
      `${assignment.assignmentId}: agreement recorded on behalf of E1001 in English (evidence ${stored?.ack?.evidenceId}); the receipt and LMS deliveries are owed.`,
    ]);
    // No LMS queue here: due at once, for the sweeper; the receipt enqueued for the mailer.
    expect(stored).toMatchObject({ webhookDueAt: NOW, xapiDueAt: NOW, dueKind: 'receipt' });
    expect(mailQueue.sent.map((s) => s.message)).toEqual([
      { assignmentId: assignment.assignmentId, kind: 'receipt' },
    ]);
    expect(store.audit).toEqual([
      expect.objectContaining({
        kind: 'acknowledged',
        detail: expect.objectContaining({ by: 'Grace Hopper' }),
      }),
    ]);
  });

  it('records it in Welsh for a starter whose locale is Welsh, or in the --language given', async () => {
    // Prepare
    const welsh = aWelshTranslation();
    const seed = { starter: { locale: 'cy-GB' }, policy: { translations: { cy: welsh } } };
    const invited = {
      status: 'invited' as const,
      dueKind: 'reminder' as const,
      dueAt: '2026-11-27T09:00:00.000Z',
    };
    const byLocale = await seededStore(invited, seed);
    const asked = await seededStore(invited, seed);

    // Act
    const inWelsh = await cli(args('--note', NOTE, '--by', 'Grace Hopper'), byLocale.store);
    const inEnglish = await cli(
      args('--note', NOTE, '--by', 'Grace Hopper', '--language', 'en'),
      asked.store,
    );

    // Assess
    expect(inWelsh.out[0]).toMatch(/: agreement recorded on behalf of E1001 in Welsh \(evidence /);
    expect(byLocale.store.peek(byLocale.assignment.assignmentId)?.ack).toMatchObject({
      locale: 'cy',
      policySha256: welsh.sha256,
      statement: welsh.statement,
    });
    expect(inEnglish.out[0]).toMatch(/ in English \(evidence /);
    expect(asked.store.peek(asked.assignment.assignmentId)?.ack).toMatchObject({
      locale: 'en',
      policySha256: asked.policy.sha256,
    });
  });

  it('refuses a --language attest does not speak (exit 2) and one the policy lacks (exit 1), writing nothing', async () => {
    // Prepare
    const { store, policy } = await seeded();

    // Act
    const unknown = await cli(args('--note', NOTE, '--by', 'Grace Hopper', '--language', 'fr'), store);
    const lacking = await cli(args('--note', NOTE, '--by', 'Grace Hopper', '--language', 'cy'), store);

    // Assess
    expect(unknown.code).toBe(2);
    expect(unknown.err.join('\n')).toContain('attest: --language must be en or cy, not "fr"');
    expect(lacking).toMatchObject({
      code: 1,
      out: [],
      err: [
        `attest: Version ${policy.version} of safe-internet-use has no Welsh translation: it can only have been read in English.`,
      ],
    });
    expect(store.writes).toEqual([]);
  });

  it.each([
    ['without --note', ['--by', 'Grace Hopper'], 'attest: --note: A note is required'],
    [
      'with a note of no words',
      ['--note', '12', '--by', 'Grace Hopper'],
      'attest: --note: Say in a few words',
    ],
    [
      'with a hidden character in the note',
      ['--note', `Paper\u202Eform`, '--by', 'Grace Hopper'],
      'cannot be seen',
    ],
    ['without --by', ['--note', NOTE], 'attest: --by: Say who records the agreement'],
  ])('refuses a call %s as a usage error (exit 2), writing nothing', async (_, more, message) => {
    // Prepare
    const { store } = await seeded();

    // Act
    const { code, out, err } = await cli(args(...more), store);

    // Assess
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err.join('\n')).toContain(message);
    expect(err.join('\n')).toContain('Try `attest accept-on-behalf --help`.');
    expect(store.writes).toEqual([]);
  });

  it('answers "already signed" on a second run, changing nothing (exit 0)', async () => {
    // Prepare
    const { store, assignment } = await seeded();
    await cli(args('--note', NOTE, '--by', 'Grace Hopper'), store);
    const before = structuredClone(store.peek(assignment.assignmentId));
    store.writes.length = 0;

    // Act
    const { code, out } = await cli(args('--note', 'Another paper form', '--by', 'Alan Turing'), store);

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual([
      `${assignment.assignmentId}: already signed (recorded on their behalf, ${NOW}, evidence ${before?.ack?.evidenceId}); nothing changed.`,
    ]);
    expect(store.peek(assignment.assignmentId)).toEqual(before);
    expect(store.writes).toEqual([]);
  });

  it('fails (exit 1) for an employee not asked, and for a withdrawn ask', async () => {
    // Prepare
    const { store } = await seeded({ status: 'cancelled' });

    // Act
    const missing = await cli(
      [
        'accept-on-behalf',
        '--employee',
        'E404',
        '--policy',
        'safe-internet-use',
        '--note',
        NOTE,
        '--by',
        'Grace',
      ],
      store,
    );
    const withdrawn = await cli(args('--note', NOTE, '--by', 'Grace Hopper'), store);

    // Assess
    expect(missing).toMatchObject({
      code: 1,
      out: [],
      err: ['attest: E404 has no safe-internet-use assignment.'],
    });
    expect(withdrawn.code).toBe(1);
    expect(withdrawn.err.join('\n')).toMatch(/was withdrawn/);
    expect(store.writes).toEqual([]);
  });
});
