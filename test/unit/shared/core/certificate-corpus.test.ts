// Every certificate of a seeded corpus is byte for byte the one CERTIFICATE_FORMAT 1's first code made, whatever was made before or alongside it.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { certificateFont } from '#shared/adapters/certificate-font.ts';
import { type CertificateFont, makeCertificate, ShapeMemory } from '#shared/core/certificate.ts';
import {
  CORPUS_FIXTURE,
  CORPUS_SEED,
  type CorpusFixture,
  certificateCorpus,
  fontSha256,
} from '../../../support/certificate-corpus.ts';
import { shuffled } from '../../../support/seeded.ts';

const fixture = JSON.parse(readFileSync(CORPUS_FIXTURE, 'utf8')) as CorpusFixture;
const corpus = certificateCorpus().map((input, i) => ({ input, sha256: fixture.sha256[i] }));

let font: CertificateFont;
beforeAll(async () => {
  font = await certificateFont();
});

describe('makeCertificate over the corpus', () => {
  it('draws the corpus the fixture was written from, with the same font', () => {
    // Assess: a changed generator or font would make every comparison below meaningless
    expect(fixture.seed).toBe(CORPUS_SEED);
    expect(fixture.sha256).toHaveLength(corpus.length);
    expect(fontSha256(font)).toBe(fixture.fontSha256);
  });

  it('makes each certificate byte for byte as the format’s first code did, one after another', async () => {
    // Prepare: one font for all, as a warm function has
    const warm = new Uint8Array(font);

    // Act
    const made: string[] = [];
    for (const { input } of corpus) made.push((await makeCertificate(input, warm)).sha256);

    // Assess
    expect(made).toEqual(corpus.map((c) => c.sha256));
  });

  it('makes the same bytes in another order, and several at once', async () => {
    // Prepare: another warm font, the corpus shuffled, taken eight at a time
    const warm = new Uint8Array(font);
    const order = shuffled(corpus, 1018);
    const batches = Array.from({ length: Math.ceil(order.length / 8) }, (_, i) =>
      order.slice(i * 8, i * 8 + 8),
    );

    // Act
    const made: Array<[string | undefined, string]> = [];
    for (const batch of batches) {
      const certificates = await Promise.all(batch.map(({ input }) => makeCertificate(input, warm)));
      certificates.forEach((certificate, i) => {
        made.push([batch[i]?.sha256, certificate.sha256]);
      });
    }

    // Assess
    expect(made.map(([, sha256]) => sha256)).toEqual(made.map(([expected]) => expected));
  });

  it('makes the same bytes remembering nothing, and remembering so little it forgets all the time', async () => {
    // Prepare: a sixth of the corpus, through a memory of nothing and one holding a few texts at a time
    const some = corpus.filter((_, i) => i % 6 === 0);
    const nothing = new ShapeMemory(0);
    const little = new ShapeMemory(3000);

    // Act
    const made: Array<[string | undefined, string, string]> = [];
    for (const { input, sha256 } of some) {
      const [afresh, forgetful] = [
        await makeCertificate(input, font, nothing),
        await makeCertificate(input, font, little),
      ];
      made.push([sha256, afresh.sha256, forgetful.sha256]);
    }

    // Assess
    expect(made.map(([, afresh]) => afresh)).toEqual(made.map(([expected]) => expected));
    expect(made.map(([, , forgetful]) => forgetful)).toEqual(made.map(([expected]) => expected));
    expect(nothing.size).toBe(0);
    expect(little.size).toBeGreaterThan(0);
    expect(little.weight).toBeLessThanOrEqual(3000);
  });
});
