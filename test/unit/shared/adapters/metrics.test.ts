// The Metrics port on Powertools: each count one EMF line at once, with its own dimensions and no other count's.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeMetrics } from '#shared/adapters/metrics.ts';

interface Emf {
  _aws: {
    CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }>;
  };
  [key: string]: unknown;
}

/** The EMF lines Powertools writes (through a Console of its own on process.stdout) while `work` runs. */
function emfLinesOf(work: () => void): Emf[] {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    lines.push(...text.split('\n').filter((line) => line.includes('"_aws"')));
    return true;
  }) as typeof process.stdout.write);
  try {
    work();
  } finally {
    spy.mockRestore();
  }
  return lines.map((line) => JSON.parse(line) as Emf);
}

describe('makeMetrics', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('writes each count at once, as one metric with the service and its own dimensions only', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.stubEnv('POWERTOOLS_DEV', 'false');
    const metrics = makeMetrics('attest');
    const [sent, recorded, again] = emfLinesOf(() => {
      metrics.count('EmailSent', { kind: 'invite' });
      metrics.count('AcknowledgementRecorded');
      metrics.count('EmailSent', { kind: 'receipt' });
    });
    const described = (emf: Emf | undefined) => ({
      names: emf?._aws.CloudWatchMetrics[0]?.Metrics.map((m) => m.Name),
      dimensions: emf?._aws.CloudWatchMetrics[0]?.Dimensions,
      namespace: emf?._aws.CloudWatchMetrics[0]?.Namespace,
    });
    expect(described(sent)).toEqual({
      names: ['EmailSent'],
      dimensions: [['service', 'kind']],
      namespace: 'attest',
    });
    expect(sent).toMatchObject({ service: 'attest', kind: 'invite', EmailSent: 1 });
    // The first count's dimension is not carried into the next.
    expect(described(recorded)).toEqual({
      names: ['AcknowledgementRecorded'],
      dimensions: [['service']],
      namespace: 'attest',
    });
    expect(recorded).not.toHaveProperty('kind');
    expect(again).toMatchObject({ kind: 'receipt', EmailSent: 1 });
  });

  it('writes nothing of a count whose dimension is refused, and nothing of it into the next', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.stubEnv('POWERTOOLS_DEV', 'false');
    const metrics = makeMetrics('attest');
    // More dimensions than CloudWatch takes (30 with the service): Powertools refuses the 30th.
    const tooMany = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`d${i}`, 'x']));
    const lines = emfLinesOf(() => {
      expect(() => metrics.count('Refused', tooMany)).toThrow();
      metrics.count('Next');
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']]);
    expect(lines[0]).not.toHaveProperty('d0');
    expect(lines[0]).not.toHaveProperty('Refused');
  });
});
