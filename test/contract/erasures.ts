// The contract of erasure: the log keeps one entry per person, and each record is rewritten in place once, never while it owes work, and never brought back.
import { describe, expect, it } from 'vitest';
import { ErasedError } from '#shared/core/errors.ts';
import type { Assignment, DeliveryKind, ErasureEntry } from '#shared/core/model.ts';
import { anEvidence, aPolicy, aStarter } from '../support/fakes.ts';
import { ask, at, iso, type MakeStore, refusal } from './support.ts';

export type ErasuresStore = MakeStore<
  | 'logErasure'
  | 'erasureLog'
  | 'getErasure'
  | 'eraseAssignment'
  | 'eraseAuditEvent'
  | 'eraseStarter'
  | 'putStarter'
  | 'getStarter'
  | 'createAssignment'
  | 'getAssignment'
  | 'recordAcknowledgement'
  | 'finishStep'
  | 'claimWork'
  | 'recordDeliveryAttempt'
  | 'deadLetters'
  | 'replayDelivery'
  | 'oweDelivery'
  | 'appendAudit'
  | 'getAuditTrail'
  | 'recordSend'
  | 'queryDue'
>;

const entry = (starterId: string, minute: number): ErasureEntry => ({
  starterId,
  pseudonym: `erased-${starterId}`,
  at: iso(minute),
  by: 'dpo',
  reason: 'subject request ref 118',
});

/** What an erasure writes over an assignment: the evidence's personal values replaced, marked erased. */
const erasedCopy = (read: Assignment): Assignment => {
  const erased = structuredClone(read);
  erased.erasedAt = iso(30);
  if (erased.ack)
    Object.assign(erased.ack, { typedName: 'erased-n', ipAddress: 'erased-i', userAgent: 'erased-b' });
  for (const kind of ['webhook', 'xapi'] as const) {
    if (erased[kind]?.state === 'dead') {
      delete erased[`${kind}DueAt`];
      if (erased[kind].deadLetter) erased[kind].deadLetter.body = 'erased-t';
    }
  }
  return erased;
};

export function describeErasuresContract(name: string, make: ErasuresStore): void {
  /** A store holding `id` signed at 10:02, its receipt sent, owing the given deliveries (none by default). */
  const signed = async (id: string, owed: Partial<Record<DeliveryKind, Record<string, string>>> = {}) => {
    const store = await make();
    await store.createAssignment(ask(id));
    await store.recordAcknowledgement(id, anEvidence(aPolicy()), owed, at(2));
    await store.claimWork(id, 'receipt', at(2), at(4));
    await store.finishStep(id, 'receipt');
    return store;
  };

  /** A store holding `id` signed, its webhook delivery dead at 10:04 (the LMS's answer quoting the person). */
  const deadOnWebhook = async (id: string) => {
    const store = await signed(id, { webhook: { webhookId: 'msg_1' } });
    await store.claimWork(id, 'webhook', at(3), at(5));
    const dead = {
      reason: 'rejected' as const,
      status: 422,
      body: 'no such user ada@example.org',
      at: iso(4),
    };
    await store.recordDeliveryAttempt(id, 'webhook', { status: 422, at: at(4), outcome: { dead } });
    return store;
  };

  describe(`${name}: Erasures`, () => {
    it('logs one entry per starter, keeping the first, and lists them oldest first', async () => {
      // Prepare
      const store = await make();
      await store.logErasure(entry('s2', 5));

      // Act
      const first = await store.logErasure(entry('s1', 7));
      const again = await store.logErasure({ ...entry('s1', 9), by: 'someone else' });

      // Assess
      expect(first).toEqual(entry('s1', 7));
      expect(again).toEqual(entry('s1', 7));
      expect(await store.erasureLog()).toEqual([entry('s2', 5), entry('s1', 7)]);
      expect(await store.getErasure('s1')).toEqual(entry('s1', 7));
      expect(await store.getErasure('s3')).toBeUndefined();
    });

    it('writes an erased starter once, and no later write of the starter brings their data back', async () => {
      // Prepare
      const store = await make();
      const starter = aStarter();
      await store.putStarter(starter);
      const erased = {
        ...starter,
        givenName: 'erased-p',
        email: 'erased-e@erased.invalid',
        erased: { at: iso(30), pseudonym: 'erased-p', assignmentIds: ['a1'] },
      };

      // Act
      const wrote = await store.eraseStarter(erased);
      const again = await store.eraseStarter({ ...erased, givenName: 'other' });
      const put = await refusal(store.putStarter(starter));

      // Assess
      expect([wrote, again]).toEqual([true, false]);
      expect(put).toBeInstanceOf(ErasedError);
      expect(await store.getStarter(starter.starterId)).toEqual(erased);
    });

    it('does not erase a starter never stored', async () => {
      // Prepare
      const store = await make();

      // Act
      const wrote = await store.eraseStarter({
        ...aStarter(),
        erased: { at: iso(30), pseudonym: 'erased-p', assignmentIds: [] },
      });

      // Assess
      expect(wrote).toBe(false);
      expect(await store.getStarter(aStarter().starterId)).toBeUndefined();
    });

    it('erases a signed assignment in place once; a second erasure finds it erased', async () => {
      // Prepare
      const store = await signed('a1');
      const read = (await store.getAssignment('a1')) as Assignment;

      // Act
      const outcome = await store.eraseAssignment(read, erasedCopy(read));
      const again = await store.eraseAssignment(read, { ...erasedCopy(read), erasedAt: iso(40) });

      // Assess
      expect([outcome, again]).toEqual(['erased', 'erased-before']);
      expect(await store.getAssignment('a1')).toEqual(erasedCopy(read));
    });

    it('refuses, changing nothing, an assignment owing an email or a pending delivery', async () => {
      // Prepare
      const store = await make();
      await store.createAssignment(ask('mail'));
      const owesMail = (await store.getAssignment('mail')) as Assignment;
      const withDelivery = await signed('lms', { webhook: { webhookId: 'msg_1' } });
      const owesDelivery = (await withDelivery.getAssignment('lms')) as Assignment;

      // Act
      const mail = await store.eraseAssignment(owesMail, erasedCopy(owesMail));
      const lms = await withDelivery.eraseAssignment(owesDelivery, erasedCopy(owesDelivery));

      // Assess
      expect([mail, lms]).toEqual(['busy', 'busy']);
      expect(await store.getAssignment('mail')).toEqual(owesMail);
      expect(await withDelivery.getAssignment('lms')).toEqual(owesDelivery);
    });

    it('erases a signed assignment owing only its renewal, which it then no longer owes', async () => {
      // Prepare: the receipt sent, the renewal owed (a policy's reattest: period) at 11:00.
      const store = await make();
      await store.createAssignment(ask('r1'));
      await store.recordAcknowledgement('r1', anEvidence(aPolicy()), {}, at(2));
      await store.claimWork('r1', 'receipt', at(2), at(4));
      await store.recordSend(
        'r1',
        { kind: 'receipt', messageId: 'ses-r1', at: iso(3) },
        { next: { kind: 'renewal', dueAt: at(60) } },
      );
      const read = (await store.getAssignment('r1')) as Assignment;
      const erased = erasedCopy(read);
      delete erased.dueAt;
      delete erased.dueKind;

      // Act
      const outcome = await store.eraseAssignment(read, erased);

      // Assess
      expect(read).toMatchObject({ dueKind: 'renewal', dueAt: iso(60) });
      expect(outcome).toBe('erased');
      expect(await store.getAssignment('r1')).toEqual(erased);
      expect((await store.queryDue(at(120), 10)).map((d) => d.assignmentId)).not.toContain('r1');
    });

    it('refuses an assignment whose delivery moved on since it was read', async () => {
      // Prepare
      const store = await deadOnWebhook('a1');
      const read = (await store.getAssignment('a1')) as Assignment;
      await store.replayDelivery('a1', 'webhook', at(6));
      await store.claimWork('a1', 'webhook', at(6), at(8));
      await store.recordDeliveryAttempt('a1', 'webhook', {
        status: 204,
        at: at(7),
        outcome: { delivered: true },
      });

      // Act
      const outcome = await store.eraseAssignment(read, erasedCopy(read));

      // Assess
      expect(outcome).toBe('busy');
      expect((await store.getAssignment('a1'))?.webhook?.state).toBe('delivered');
    });

    it('takes a dead delivery off the dead letters for good: it is never replayed, nor owed again', async () => {
      // Prepare
      const store = await deadOnWebhook('a1');
      const read = (await store.getAssignment('a1')) as Assignment;

      // Act
      const outcome = await store.eraseAssignment(read, erasedCopy(read));

      // Assess
      expect(outcome).toBe('erased');
      expect(await store.deadLetters(10)).toEqual([]);
      expect(await store.replayDelivery('a1', 'webhook', at(40))).toBe(false);
      expect(await store.oweDelivery('a1', { xapi: { statementId: 'st_1' } }, at(40))).toBe(false);
      expect(await store.getAssignment('a1')).toEqual(erasedCopy(read));
    });

    it("replaces an audit event's detail once, keeping its kind and time", async () => {
      // Prepare
      const store = await make();
      await store.appendAudit('a1', 'cancelled', at(3), { by: 'console', reason: 'Ada left' });
      await store.appendAudit('a1', 'invited', at(1), { tokenId: 't1' });
      const [invited, cancelled] = await store.getAuditTrail('a1');

      // Act
      const wrote = await store.eraseAuditEvent(
        'a1',
        cancelled as never,
        { by: 'console', reason: 'erased-t' },
        at(30),
      );
      const again = await store.eraseAuditEvent(
        'a1',
        cancelled as never,
        { by: 'console', reason: 'erased-u' },
        at(31),
      );

      // Assess
      expect([wrote, again]).toEqual([true, false]);
      expect(await store.getAuditTrail('a1')).toEqual([
        invited,
        { kind: 'cancelled', at: iso(3), detail: { by: 'console', reason: 'erased-t' } },
      ]);
    });
  });
}
