// The local stack's settings: its fixed secrets are what every Standard Webhooks library accepts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LOCAL_SECRETS } from '../../../local/settings.ts';

const ENV_EXAMPLE = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');

/** Python's `b64decode(validate=True)` and PHP's strict decoder refuse what does not survive this. */
const strictBase64 = (text: string) => text !== '' && Buffer.from(text, 'base64').toString('base64') === text;

describe('LOCAL_SECRETS', () => {
  it('holds whsec_ secrets that are padded base64 a strict decoder accepts', () => {
    // Prepare
    const secrets = Object.values(LOCAL_SECRETS).filter((s) => s.startsWith('whsec_'));
    const inExample = [...ENV_EXAMPLE.matchAll(/whsec_[A-Za-z0-9+/=_-]*/g)].map((m) => m[0]);

    // Act
    const refused = [...secrets, ...inExample].filter((s) => !strictBase64(s.slice('whsec_'.length)));

    // Assess
    expect(secrets).toHaveLength(2);
    expect(inExample.length).toBeGreaterThanOrEqual(2);
    expect(refused).toEqual([]);
  });

  it('gives .env.example the values the local stack uses', () => {
    // Act
    const example = (name: string) => new RegExp(`^${name}=(\\S*)`, 'm').exec(ENV_EXAMPLE)?.[1];

    // Assess
    for (const [name, value] of Object.entries(LOCAL_SECRETS)) expect(example(name), name).toBe(value);
  });
});
