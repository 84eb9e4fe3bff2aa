// The policies' settings bundled apart from their texts, for lms-push and the mailer.
import { describe, expect, it } from 'vitest';
import { policySettingsModule } from '#templates/build.ts';
import { aPolicy } from '../../support/fakes.ts';

describe('policySettingsModule', () => {
  it('carries each policy’s chase, Moodle activity, re-attestation and due date, and none of its text', () => {
    // Prepare
    const chased = aPolicy({
      policyId: 'chased',
      chase: { reminderOffsets: 'P2D,P5D' },
      moodle: { cmid: 42 },
      reattest: 'P1Y',
      due: 'P14D',
      body: 'The whole text of the policy.',
    });
    const plain = aPolicy({ policyId: 'plain', title: 'A plain policy' });

    // Act
    const module = policySettingsModule(
      new Map([
        ['chased', chased],
        ['plain', plain],
      ]),
    );

    // Assess
    const literal = /new Map<[^>]+>>\((.*)\);\n$/s.exec(module)?.[1] as string;
    expect(JSON.parse(literal)).toEqual([
      [
        'chased',
        { chase: { reminderOffsets: 'P2D,P5D' }, moodle: { cmid: 42 }, reattest: 'P1Y', due: 'P14D' },
      ],
      ['plain', {}],
    ]);
    expect(module).not.toContain('The whole text');
    expect(module).not.toContain('A plain policy');
  });
});
