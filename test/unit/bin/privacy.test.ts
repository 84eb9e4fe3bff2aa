// `attest privacy export`: the subject access export as JSON on stdout or in files readable only by their owner, its usage errors, and no partial file left.
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliDeps } from '../../../bin/attest.ts';
import { runCli } from '../../../bin/attest.ts';
import { aPolicy, aStarter, FakeStore, seedSigned, XAPI_SETTINGS } from '../../support/fakes.ts';

const NOW = '2026-12-01T10:00:00.000Z';

/** A store where E1 has signed safe-internet-use v3, delivered to the webhook and xAPI. */
async function signedStore() {
  const store = new FakeStore();
  await store.putPolicyVersion(aPolicy());
  await store.putStarter(aStarter({ employeeId: 'E1' }));
  await seedSigned(store, 'E1');
  return store;
}

async function cli(argv: string[], store: FakeStore, extra: Partial<CliDeps> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    store,
    io: { out: (t) => out.push(t), err: (t) => err.push(t) },
    now: () => new Date(NOW),
    version: '0.1.0',
    ...extra,
  });
  return { code, out, err };
}

const dir = () => mkdtempSync(join(tmpdir(), 'attest-privacy-'));

describe('attest privacy export', () => {
  it('prints the export as JSON alone on stdout', async () => {
    // Prepare
    const store = await signedStore();

    // Act
    const { code, out, err } = await cli(['privacy', 'export', '--employee', 'E1'], store);

    // Assess
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toHaveLength(1);
    const data = JSON.parse(out[0] as string);
    expect(data.about).toMatchObject({ employeeId: 'E1', exportedAt: NOW, attestVersion: '0.1.0' });
    expect(data.starter.email).toBe('ada@example.org');
    expect(data.assignments[0].evidence.evidenceId).toBe('ev_1');
  });

  it('rebuilds the payloads from the settings the LMS deps give', async () => {
    // Prepare
    const store = await signedStore();
    const lms = {
      channel: () => Promise.reject(new Error('not used')),
      http: { send: () => Promise.reject(new Error('not used')) },
      timeoutMs: 1000,
      payloads: async () => ({ xapi: XAPI_SETTINGS }),
    };

    // Act
    const { code, out } = await cli(['privacy', 'export', '--employee', 'E1'], store, { lms });

    // Assess
    expect(code).toBe(0);
    const deliveries = JSON.parse(out[0] as string).assignments[0].deliveries;
    expect(deliveries.map((d: { payload: { rebuilt: boolean } }) => d.payload.rebuilt)).toEqual([true, true]);
  });

  it('writes the JSON and the HTML to files readable only by their owner', async () => {
    // Prepare
    const store = await signedStore();
    const json = join(dir(), 'e1.json');
    const html = join(dir(), 'e1.html');

    // Act
    const { code, out } = await cli(
      ['privacy', 'export', '--employee', 'E1', '--out', json, '--html', html],
      store,
    );

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual([
      `Wrote the subject access export of E1 to ${json}.`,
      `Wrote the subject access export of E1 to ${html}.`,
    ]);
    expect(JSON.parse(readFileSync(json, 'utf8')).about.employeeId).toBe('E1');
    expect(readFileSync(html, 'utf8')).toContain('What attest holds about Ada Lovelace');
    expect(statSync(json).mode & 0o777).toBe(0o600);
    expect(statSync(html).mode & 0o777).toBe(0o600);
  });

  it('removes the files written when a later one cannot be, and fails', async () => {
    // Prepare
    const store = await signedStore();
    const json = join(dir(), 'e1.json');
    const html = join(dir(), 'no-such-dir', 'e1.html');

    // Act
    const { code, out, err } = await cli(
      ['privacy', 'export', '--employee', 'E1', '--out', json, '--html', html],
      store,
    );

    // Assess
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(existsSync(json)).toBe(false);
    expect(err).toEqual([
      `attest: removed ${json}: the export did not finish.`,
      `attest: cannot write ${html}: its directory does not exist`,
    ]);
  });

  it('fails, writing no file, for an employee attest holds nothing about', async () => {
    // Prepare
    const store = await signedStore();
    const json = join(dir(), 'nobody.json');

    // Act
    const { code, out, err } = await cli(['privacy', 'export', '--employee', 'E404', '--out', json], store);

    // Assess
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual(['attest: No starter with employee id E404.']);
    expect(existsSync(json)).toBe(false);
  });

  it.each([
    [['privacy', 'export'], /required option '--employee <employee-id>' not specified/],
    [['privacy', 'export', '--employee', 'E1', '--out', ''], /--out needs a file name/],
    [['privacy', 'export', '--employee', 'E1', '--out', 'a.json', '--html', 'a.json'], /different files/],
    [['privacy', 'export', '--employee', '--out'], /--out is an option: the value is missing/],
  ])('refuses %j as a usage error (exit 2)', async (argv, message) => {
    // Prepare
    const store = await signedStore();

    // Act
    const { code, out, err } = await cli(argv, store);

    // Assess
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err.join('\n')).toMatch(message);
    expect(err.join('\n')).toContain('Try `attest privacy export --help`.');
  });

  it('describes itself in its help', async () => {
    // Act
    const { code, out } = await cli(['privacy', 'export', '--help'], new FakeStore());

    // Assess
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(
      /subject access request[\s\S]*--employee <employee-id>[\s\S]*--html <file.html>/,
    );
  });
});
