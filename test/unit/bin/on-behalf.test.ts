// `attest accept-on-behalf`: an agreement made offline recorded for a person; a note and a name required (exit 2), not found or withdrawn exit 1, a second run changes nothing.
import { describe, expect, it } from 'vitest';
import type { Assignment } from '#shared/core/model.ts';
import { type CliDeps, runCli } from '../../../bin/attest.ts';
import { FakeQueue, type FakeStore, seededStore } from '../../support/fakes.ts';

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
      `${assignment.assignmentId}: agreement recorded on behalf of E1001 (evidence ${stored?.ack?.evidenceId}); the receipt and LMS deliveries are owed.`,
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
