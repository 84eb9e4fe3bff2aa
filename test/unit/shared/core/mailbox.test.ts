// Mailboxes in settings and headers: display names read as people write them, written as RFC 5322 and RFC 2047 want, nothing that breaks a line.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeaderError } from '#shared/core/errors.ts';
import { formatMailbox, headerName, headerValue, oneLine, parseMailbox } from '#shared/core/mailbox.ts';

const FC = process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {};

/** What a mail client shows for a display name written as encoded words, quoted or plain. */
function readName(written: string): string {
  const phrase = written.slice(0, written.lastIndexOf(' <'));
  if (phrase.startsWith('=?')) {
    return phrase
      .split(' ')
      .map((word) => {
        const m = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/.exec(word);
        if (!m) throw new Error(`not an encoded word: ${word}`);
        return Buffer.from(m[1] as string, 'base64').toString('utf8');
      })
      .join('');
  }
  return phrase.startsWith('"') ? phrase.slice(1, -1).replace(/\\(.)/g, '$1') : phrase;
}

describe('parseMailbox', () => {
  it.each([
    ['onboarding@attest.example', { address: 'onboarding@attest.example' }],
    ['  onboarding@attest.example ', { address: 'onboarding@attest.example' }],
    ['<onboarding@attest.example>', { address: 'onboarding@attest.example' }],
    [
      '"Wirral Children\'s Services onboarding" <onboarding@attest.example>',
      { name: "Wirral Children's Services onboarding", address: 'onboarding@attest.example' },
    ],
    [
      "Wirral Children's Services onboarding <onboarding@attest.example>",
      { name: "Wirral Children's Services onboarding", address: 'onboarding@attest.example' },
    ],
    [
      '"Smith, Jones \\"HR\\" <team>" <hr@example.org>',
      { name: 'Smith, Jones "HR" <team>', address: 'hr@example.org' },
    ],
    [
      'Wirral Children’s Services <onboarding@attest.example>',
      { name: 'Wirral Children’s Services', address: 'onboarding@attest.example' },
    ],
  ])('reads %s', (text, mailbox) => {
    // Assess
    expect(parseMailbox(text)).toEqual(mailbox);
  });

  it.each([
    ['', 'no address'],
    ['onboarding', 'is not an email address'],
    ['Onboarding onboarding@attest.example', 'is not an email address'],
    ['Onboarding <onboarding@attest.example', 'expected an address, or a display name then <address>'],
    ['Onboarding <a@attest.example> <b@attest.example>', 'expected an address, or a display name'],
    ['"Onboarding <onboarding@attest.example>', 'no closing quote'],
    ['Onboarding <>', 'no address'],
    ['Ada "HR" <hr@example.org>', 'must be quoted'],
    ['Onboarding <onboarding@bücher.example>', 'must be ASCII'],
    ['Onboarding\r\nBcc: x@evil.example <onboarding@attest.example>', 'control or invisible'],
    ['onboarding@attest.example\nBcc: x@evil.example', 'control or invisible'],
    ['HR\u202E <hr@example.org>', 'control or invisible'],
    ['\u200B <hr@example.org>', 'control or invisible'],
    [`${'x'.repeat(201)} <hr@example.org>`, 'over 200 characters'],
  ])('refuses %j, saying why', (text, why) => {
    // Assess
    expect(() => parseMailbox(text)).toThrow(RangeError);
    expect(() => parseMailbox(text)).toThrow(why);
  });

  it('accepts or refuses any text with a RangeError, and what it accepts holds nothing invisible', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), (text) => {
        try {
          const mailbox = parseMailbox(text);
          expect(`${mailbox.name ?? ''}${mailbox.address}`).not.toMatch(/[\p{Cc}\p{Cf}\p{Co}\p{Zl}\p{Zp}]/u);
          expect(mailbox.address).toMatch(/^[\x21-\x7e]+$/);
        } catch (error) {
          expect(error).toBeInstanceOf(RangeError);
        }
      }),
      FC,
    );
  });
});

describe('formatMailbox', () => {
  it.each([
    [{ address: 'hr@example.org' }, 'hr@example.org'],
    [{ name: '', address: 'hr@example.org' }, 'hr@example.org'],
    [{ name: 'Onboarding', address: 'hr@example.org' }, 'Onboarding <hr@example.org>'],
    [
      { name: "Wirral Children's Services onboarding", address: 'hr@example.org' },
      "Wirral Children's Services onboarding <hr@example.org>",
    ],
    [{ name: 'Smith, Jones', address: 'hr@example.org' }, '"Smith, Jones" <hr@example.org>'],
    [{ name: 'The "HR" team\\', address: 'hr@example.org' }, '"The \\"HR\\" team\\\\" <hr@example.org>'],
    [{ name: 'St. Helens', address: 'hr@example.org' }, '"St. Helens" <hr@example.org>'],
    [
      { name: 'Wirral Children’s Services', address: 'hr@example.org' },
      `=?UTF-8?B?${Buffer.from('Wirral Children’s Services').toString('base64')}?= <hr@example.org>`,
    ],
  ])('writes %j as %s', (mailbox, written) => {
    // Assess
    expect(formatMailbox(mailbox, 'From')).toBe(written);
  });

  it('splits a long name into encoded words of whole characters, each at most 75 long', () => {
    // Prepare
    const name = 'Gwasanaethau Plant Cymru – Ysgol Gynradd Llanfair 👩‍👧 ünd Ökonomie-Schüler';

    // Act
    const written = formatMailbox({ name, address: 'hr@example.org' }, 'From');

    // Assess
    const words = written.slice(0, written.lastIndexOf(' <')).split(' ');
    expect(words.length).toBeGreaterThan(1);
    for (const word of words) expect(word.length).toBeLessThanOrEqual(75);
    expect(readName(written)).toBe(name);
  });

  it('writes any name a setting accepts as one ASCII line that reads back as the same name', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 120 }),
        fc.constantFrom('hr@example.org', 'a.b+c@x-y.example'),
        (raw, address) => {
          fc.pre(!/[\p{Cc}\p{Cf}\p{Co}\p{Zl}\p{Zp}]/u.test(raw) && raw.trim() !== '');
          const name = raw.trim();

          const written = formatMailbox({ name, address }, 'From');

          expect(written).toMatch(/^[\x20-\x7e]+$/);
          expect(written.endsWith(` <${address}>`)).toBe(true);
          expect(readName(written)).toBe(name);
          // A name quoted or plain reads back through the setting's parser too.
          if (!written.startsWith('=?')) expect(parseMailbox(written)).toEqual({ name, address });
        },
      ),
      FC,
    );
  });

  it('refuses a name or address that could break the line, naming the header', () => {
    // Assess
    expect(() =>
      formatMailbox({ name: 'HR\r\nBcc: x@evil.example', address: 'hr@example.org' }, 'Reply-To'),
    ).toThrow(HeaderError);
    expect(() => formatMailbox({ address: 'hr@example.org\nBcc: x@evil.example' }, 'To')).toThrow(
      'To would hold a control or line-breaking character',
    );
    expect(() => formatMailbox({ address: 'hr@example.org>, x@evil.example' }, 'To')).toThrow(HeaderError);
  });
});

describe('header values', () => {
  it('passes a plain value and name through, refusing line breaks and colons in names', () => {
    // Assess
    expect(headerValue('X-Attest-Assignment', 'a1 b2')).toBe('a1 b2');
    expect(headerName('X-Attest-Assignment')).toBe('X-Attest-Assignment');
    expect(() => headerValue('X-Attest-Assignment', 'a1\u0000')).toThrow(HeaderError);
    expect(() => headerName('X-Attest Assignment')).toThrow(HeaderError);
    expect(() => headerName('X-Attest:')).toThrow(HeaderError);
  });

  it('folds every run of controls and line separators in a subject into one space', () => {
    // Assess
    expect(oneLine('Not signed: Eve\r\nBcc: x@evil.example')).toBe('Not signed: Eve Bcc: x@evil.example');
    expect(oneLine('Please read:\u2029 Safe\u0085use\n')).toBe('Please read:  Safe use');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(oneLine(text)).not.toMatch(/[\p{Cc}\p{Zl}\p{Zp}]/u);
      }),
      FC,
    );
  });
});
