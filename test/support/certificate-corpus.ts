// A seeded corpus of varied certificate inputs, and the sha256 of each certificate as the code of CERTIFICATE_FORMAT 1 made it (test/fixtures/certificate-corpus.json).
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CertificateFont, CertificateInput } from '#shared/core/certificate.ts';
import type { Evidence } from '#shared/core/model.ts';
import { seededRandom } from './seeded.ts';

/** Where the corpus's sha256s are kept: written once from the code whose bytes every later code must keep. */
export const CORPUS_FIXTURE = new URL('../fixtures/certificate-corpus.json', import.meta.url);
/** How many inputs the corpus has, and the seed they are drawn with. */
export const CORPUS_SIZE = 300;
export const CORPUS_SEED = 18;

export interface CorpusFixture {
  /** The sha256 of the font file the certificates were made with: another font makes other bytes. */
  fontSha256: string;
  seed: number;
  /** Each input's certificate's sha256, in the corpus's order. */
  sha256: string[];
}

const ORGANISATIONS = [
  'Wirral Children’s Services',
  'Cyngor Sir Ynys Môn',
  'Cyngor Bwrdeistref Sirol Rhondda Cynon Taf — Gwasanaethau Plant a Theuluoedd (Swyddfa’r Prif Weithredwr)',
  'Affinity & Fjord Office: ﬁnance ﬂoor',
  'Ωmega Ω Care Kelvin K Trust Å Ltd',
  'St Ælfric’s Academy Trust',
];

const ZONES = [
  'Europe/London',
  'UTC',
  'America/New_York',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Pacific/Chatham',
  'Australia/Lord_Howe',
  'America/St_Johns',
  'Pacific/Kiritimati',
];

const POLICIES: Record<'en' | 'cy', ReadonlyArray<readonly [string, string]>> = {
  en: [
    ['safe-internet-use', 'Safe Internet Use – Guidance for Staff'],
    ['official-fixtures', 'Official Fixtures, Fittings and Fjord Trips: Staff Conduct'],
    ['social-media', 'Policy on the Use of Social Networking Websites'],
    [
      'very-long',
      'A Very Long Policy Title That Keeps Going Well Past the Width of One Line of the Certificate, So That It Wraps Onto Another',
    ],
  ],
  cy: [
    ['safe-internet-use', 'Defnyddio’r Rhyngrwyd yn Ddiogel – Canllawiau i Staff'],
    ['official-fixtures', 'Gosodiadau Swyddogol a Theithiau Fjord: Ymddygiad Staff'],
    ['social-media', 'Polisi ar Ddefnyddio Gwefannau Rhwydweithio Cymdeithasol'],
    ['very-long', 'Teitl Polisi Hir Iawn Sy’n Mynd Ymlaen y Tu Hwnt i Led Un Llinell o’r Dystysgrif'],
  ],
};

const STATEMENTS: Record<'en' | 'cy', readonly string[]> = {
  en: [
    'I understand and agree to adhere to the Policy on the Use of Social Networking Websites.',
    'I have read the official fixtures policy, fluffy affirmations and all, and I agree to it in full.',
    'I agree.',
  ],
  cy: [
    'Rwy’n deall ac yn cytuno i lynu wrth y Polisi.',
    'Rwyf wedi darllen y polisi ac rwy’n cytuno iddo’n llawn, gan gynnwys yr adrannau ar ŵyl, ŷd a’r môr.',
    'Cytunaf.',
  ],
} as const;

/** Names as people type them, chosen to reach what shaping and the font make hard. */
const NAMES = [
  'Ada King Lovelace',
  'Siân Ŵyn ap Ŷwain',
  'Gwenllïan Ŵyn',
  'Zoë Ångström-Łukasiewicz Đặng',
  'Işıl Yılmaz',
  'Zoi\u0301 Lovelace',
  'Jose\u0301 Nun\u0303ez',
  'a\u0308\u0301 e\u0301\u0302 i\u0308',
  'Effie Fjord-Flaffin',
  'Office ﬁnance ﬂoor',
  'Ελένη Παπαδοπούλου',
  'Иван Петров',
  'Li 李华',
  '山田 太郎',
  '김민준',
  'Sam 😀 Smith',
  'Ana\u200dBel\u200cle',
  'Jo\u00adanna Soft',
  'Kelvin K Ohm Ω Ångström Å',
  'Noor نور',
  'David דוד',
  'X'.repeat(150),
  `Wolfeschlegel${'steinhausenbergerdorff'.repeat(6)} Sr.`,
  'ﬀﬁﬂﬃﬄ ffffffiiiiiffflllfj',
  'Tab\there',
  'Line\nbreak',
  'Ǆemal Ǉubić',
  '\u{1D400}\u{1D401} Math',
  'A\uFE0F B\uFE0E',
];

const PIECES = [
  'ŵ',
  'ŷ',
  'â',
  'ê',
  'î',
  'ô',
  'û',
  'ï',
  'Ŵ',
  'Ŷ',
  'ff',
  'fi',
  'fl',
  'fj',
  'ffi',
  'ı',
  'i\u0301',
  'e\u0300',
  'ß',
  'Æ',
  'œ',
  'ñ',
  'ç',
  'ł',
  'ø',
  'ğ',
  'ş',
  'Ω',
  'Å',
  'K',
  '李',
  '😀',
  '\u200d',
  '\u00ad',
  'ﬁ',
  '-',
  '’',
  'Ǳ',
  'ǆ',
  'ŉ',
  'Ĳ',
  'ĳ',
  ' ',
];
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function hex(random: () => number, length: number): string {
  return Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('');
}

/** A made-up name: letters with the pieces above mixed in, sometimes long enough to wrap. */
function madeName(random: () => number): string {
  const length = 2 + Math.floor(random() ** 3 * 120);
  let name = '';
  while (name.length < length) {
    name += random() < 0.3 ? pick(random, PIECES) : pick(random, [...LETTERS]);
    if (random() < 0.12) name += ' ';
  }
  return name.trim() || 'A';
}

/** The corpus: `size` inputs drawn from `seed`, varied in every value a certificate shows. */
export function certificateCorpus(size = CORPUS_SIZE, seed = CORPUS_SEED): CertificateInput[] {
  const random = seededRandom(seed);
  return Array.from({ length: size }, (_, i) => {
    const locale = pick(random, [undefined, 'en', 'cy', 'cy', 'cy-GB', 'fr'] as const);
    const language = locale === 'cy' ? 'cy' : 'en';
    const [policyId, policyTitle] = pick(random, POLICIES[language]);
    const typedName =
      i < NAMES.length ? (NAMES[i] as string) : random() < 0.3 ? pick(random, NAMES) : madeName(random);
    const at = Date.UTC(2020, 0, 1) + Math.floor(random() * 15 * 365 * 86_400_000);
    const common = {
      evidenceId: `ev_${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-a${hex(random, 3)}-${hex(random, 12)}`,
      acknowledgedAt: new Date(at).toISOString(),
      policyId,
      policyVersion: 1 + Math.floor(random() ** 2 * 200),
      policyTitle,
      policySha256: hex(random, 64),
      statement: pick(random, STATEMENTS[language]),
      typedName,
      ...(locale && { locale }),
    };
    const evidence: Evidence =
      random() < 0.2
        ? {
            ...common,
            method: 'on-behalf',
            note: 'Paper form signed at induction',
            recordedBy: pick(random, [
              'Grace Hopper',
              'hr.admin@example.org',
              'Siôn Ffransis',
              'Ffion ﬁnlay',
            ]),
            ipAddress: null,
            userAgent: null,
            tokenId: null,
            messageId: null,
          }
        : {
            ...common,
            ...(random() < 0.5 && { method: 'link' as const }),
            ipAddress: '192.0.2.1',
            userAgent: 'Mozilla/5.0',
            tokenId: hex(random, 11),
            messageId: random() < 0.5 ? null : `ses-${i}`,
          };
    return {
      assignmentId: `as_${Array.from({ length: 22 }, () => pick(random, [...`${LETTERS}0123456789-_`])).join('')}`,
      evidence,
      organisationName: pick(random, ORGANISATIONS),
      timeZone: pick(random, ZONES),
    };
  });
}

export function fontSha256(font: CertificateFont): string {
  return createHash('sha256').update(font).digest('hex');
}

/** `tsx test/support/certificate-corpus.ts`: writes the fixture from the code as it is (only ever from CERTIFICATE_FORMAT 1's code). */
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [{ makeCertificate }, { certificateFont }] = await Promise.all([
    import('#shared/core/certificate.ts'),
    import('#shared/adapters/certificate-font.ts'),
  ]);
  const font = await certificateFont();
  const sha256: string[] = [];
  // Each made with a fresh copy of the font's bytes: as alone in a process, nothing made before it.
  for (const input of certificateCorpus())
    sha256.push((await makeCertificate(input, new Uint8Array(font))).sha256);
  const fixture: CorpusFixture = { fontSha256: fontSha256(font), seed: CORPUS_SEED, sha256 };
  writeFileSync(CORPUS_FIXTURE, `${JSON.stringify(fixture, null, 2)}\n`);
  console.log(`${sha256.length} certificates, ${new Set(sha256).size} distinct`);
}
