// The destinations' settings a subject access export rebuilds payloads from: read as lms-push reads them, and left out rather than failing.
import { describe, expect, it } from 'vitest';
import { payloadSettingsFromEnv } from '#shared/adapters/destination-channel.ts';
import { aPolicy } from '../../../support/fakes.ts';

const policies = new Map([
  ['safe-internet-use', { ...aPolicy(), moodle: { cmid: 11 } }],
  ['data-protection', aPolicy({ policyId: 'data-protection' })],
]);

describe('payloadSettingsFromEnv', () => {
  it('reads the xAPI actor settings and Moodle’s activities, MOODLE_ACTIVITIES over the front matter', () => {
    // Act
    const settings = payloadSettingsFromEnv(
      {
        XAPI_ACCOUNT_HOMEPAGE: 'https://hr.example.org/',
        MOODLE_USER_FIELD: 'idnumber',
        MOODLE_ACTIVITIES: 'data-protection=22',
      },
      { policies },
    );

    // Assess
    expect(settings.xapi).toEqual({
      accountHomePage: 'https://hr.example.org/',
      actor: 'account',
      activityBase: 'urn:attest:policies/',
    });
    expect(settings.moodle?.userField).toBe('idnumber');
    expect([...(settings.moodle?.activities ?? [])]).toEqual([
      ['safe-internet-use', 11],
      ['data-protection', 22],
    ]);
  });

  it('leaves out a destination whose settings do not parse, keeping the others', () => {
    // Act
    const settings = payloadSettingsFromEnv(
      { XAPI_ACTOR: 'nobody', MOODLE_USER_FIELD: 'email' },
      { policies },
    );

    // Assess
    expect(settings.xapi).toBeUndefined();
    expect(settings.moodle?.userField).toBe('email');
  });
});
