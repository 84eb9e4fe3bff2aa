// Work messages at the queue edge: each consumer takes only its own kinds, and a malformed message throws.
import { describe, expect, it } from 'vitest';
import { parseWorkMessage } from '#shared/edge/queue.ts';

const ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const DUE = '2026-11-24T10:00:00.000Z';

describe('parseWorkMessage', () => {
  it.each(['webhook', 'xapi'] as const)('reads a %s delivery message for the LMS consumer', (kind) => {
    // Act
    const message = parseWorkMessage(JSON.stringify({ assignmentId: ID, kind, dueAt: DUE }), [
      'webhook',
      'xapi',
    ]);

    // Assess
    expect(message).toEqual({ assignmentId: ID, kind, dueAt: DUE });
  });

  it('reads a message without a due time', () => {
    // Act
    const message = parseWorkMessage(JSON.stringify({ assignmentId: ID, kind: 'receipt' }), ['receipt']);

    // Assess
    expect(message).toEqual({ assignmentId: ID, kind: 'receipt' });
  });

  it('reads a message of the webhook lane sent before it was named webhook (kind lms)', () => {
    // Act
    const message = parseWorkMessage(JSON.stringify({ assignmentId: ID, kind: 'lms' }), ['webhook', 'xapi']);

    // Assess
    expect(message).toEqual({ assignmentId: ID, kind: 'webhook' });
  });

  it.each([
    ['xapi', ['webhook'], 'a xapi message reached the webhook consumer'],
    ['xapi', ['invite', 'receipt'], 'a xapi message reached the invite/receipt consumer'],
    ['invite', ['webhook', 'xapi'], 'a invite message reached the webhook/xapi consumer'],
  ] as const)('throws for a %s message reaching the %j consumer', (kind, kinds, error) => {
    // Act
    const parse = () => parseWorkMessage(JSON.stringify({ assignmentId: ID, kind }), kinds);

    // Assess
    expect(parse).toThrow(error);
  });

  it.each([
    ['an unknown kind', { assignmentId: ID, kind: 'fax' }],
    ['a malformed id', { assignmentId: 'short', kind: 'xapi' }],
    ['a malformed due time', { assignmentId: ID, kind: 'xapi', dueAt: 'tomorrow' }],
  ])('throws for %s', (_what, body) => {
    // Act
    const parse = () => parseWorkMessage(JSON.stringify(body), ['webhook', 'xapi']);

    // Assess
    expect(parse).toThrow();
  });

  it('throws for a body that is not JSON', () => {
    // Assess
    expect(() => parseWorkMessage('not json', ['xapi'])).toThrow(SyntaxError);
  });
});
