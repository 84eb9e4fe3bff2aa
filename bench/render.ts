// Figures: the invite's render throughput, compiled once vs mjml2html per recipient; the receipt's certificate, shapings remembered vs shaped afresh; each in the same run.
import { readFileSync } from 'node:fs';
import mjml2html from 'mjml';
import { certificateFont } from '#shared/adapters/certificate-font.ts';
import { type CertificateInput, makeCertificate, ShapeMemory } from '#shared/core/certificate.ts';
import { escapeHtml } from '#shared/core/html.ts';
import { type InviteVars, renderInvite } from '#templates/invite.ts';
import { fmt, measure, report } from './measure.ts';

const source = readFileSync(new URL('../templates/invite.mjml', import.meta.url), 'utf8');

const recipient = (i: number): InviteVars => ({
  organisationName: 'Wirral Children’s Services',
  givenName: `Starter ${i}`,
  policyTitle: 'Safe Internet Use – Guidance for Staff',
  policyVersion: 1,
  keyPoints: [
    'Distance yourself from any potentially inappropriate situation.',
    'Report any incident immediately.',
  ],
  ackUrl: `https://attest.example.org/ack/k1.${String(i).padStart(8, '0')}`,
  expiresOn: '24 December 2026',
  startDate: '1 December 2026',
});

/** The naive approach: fill the MJML with the recipient's (escaped) values, then compile it. */
async function naive(v: InviteVars): Promise<string> {
  const values: Record<string, string> = {
    ...Object.fromEntries(Object.entries(v).map(([k, val]) => [k, escapeHtml(String(val))])),
    keyPointsHtml: v.keyPoints.map((p) => `<li>${escapeHtml(p)}</li>`).join(''),
  };
  const filled = source.replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name] ?? '');
  return (await mjml2html(filled, { validationLevel: 'strict' })).html;
}

const NAMES = [
  'Ada King Lovelace',
  'Siân Ŵyn',
  'Grace Hopper',
  'Zoë Ångström',
  'Işıl Yılmaz',
  'Rhodri ap Iorwerth',
];

/** The receipt's certificate of starter `i`: the deployment's organisation and policies, their own name, time and ids. */
const agreement = (i: number): CertificateInput => {
  const welsh = i % 4 === 3;
  const id = String(i).padStart(8, '0');
  return {
    assignmentId: `as_${id}Xq3vL9bT0aPz7e`,
    organisationName: 'Wirral Children’s Services',
    timeZone: 'Europe/London',
    evidence: {
      evidenceId: `ev_${id}-0b7a-4f43-9a4b-6b0f7f1f2a10`,
      acknowledgedAt: new Date(Date.UTC(2026, 6, 14, 8, 0, 0) + i * 61_003).toISOString(),
      policyId: 'safe-internet-use',
      policyVersion: 3,
      policyTitle: welsh
        ? 'Defnyddio’r Rhyngrwyd yn Ddiogel – Canllawiau i Staff'
        : 'Safe Internet Use – Guidance for Staff',
      policySha256: 'a3f1c2d4e5b6a7980112233445566778899aabbccddeeff00112233445566778',
      statement: welsh
        ? 'Rwy’n deall ac yn cytuno i lynu wrth y Polisi.'
        : 'I understand and agree to adhere to the Policy on the Use of Social Networking Websites.',
      typedName: `${NAMES[i % NAMES.length]} ${i}`,
      ...(welsh && { locale: 'cy' }),
      method: 'link',
      ipAddress: '192.0.2.1',
      userAgent: 'Mozilla/5.0',
      tokenId: 'AAAAAAAAAAA',
      messageId: `ses-${i}`,
    },
  };
};

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/**
 * The receipt's certificate on a warm function (font parsed, 50 made first), one document after
 * another, alternating between the two ways so load moves both alike: shapings remembered across
 * documents (the default), and none remembered (`new ShapeMemory(0)`: each document shapes every
 * text, plain or not, as before issue 18's change; what is not shaping — the font parsed once, the
 * subset's file, glyph outlines and metrics — is shared by both). Both make the same bytes, which
 * is checked here too.
 */
async function certificates(count = 200, warmup = 50): Promise<void> {
  const font = await certificateFont();
  const afresh = new ShapeMemory(0);
  const remembered: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < warmup + count; i++) {
    let at = performance.now();
    const made = await makeCertificate(agreement(i), font);
    const rememberedMs = performance.now() - at;
    at = performance.now();
    const again = await makeCertificate(agreement(i), font, afresh);
    const afreshMs = performance.now() - at;
    if (made.sha256 !== again.sha256)
      throw new Error(`certificate ${i}: remembered shapings changed its bytes`);
    if (i >= warmup) {
      remembered.push(rememberedMs);
      baseline.push(afreshMs);
    }
  }
  report(
    `Receipt certificate on a warm function (median of ${count}, ${fmt(median(remembered) > 0 ? 1000 / median(remembered) : 0)}/s)`,
    'ms',
    ['shapings remembered across documents', median(remembered)],
    ['each document shaping afresh (baseline)', median(baseline)],
  );
}

export async function run(): Promise<void> {
  await certificates();
  let i = 0;
  const compiled = await measure(() => renderInvite(recipient(i++)), 3000);
  const perRecipient = await measure(() => naive(recipient(i++)), 5000);
  report(
    'Invite render throughput (HTML + text per recipient)',
    'emails/s',
    ['compiled once (renderInvite)', compiled.perSecond],
    ['mjml2html per recipient (baseline)', perRecipient.perSecond],
  );
}
