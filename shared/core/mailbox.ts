// What may go into an email header: mailboxes (an address with an optional display name) read from settings and written for SES v2, and one-line header text.
import { HeaderError } from './errors.ts';
import { textSetting } from './validation.ts';
import * as z from './zod.ts';

/** An RFC 5322 mailbox: `Display Name <address>`, or the bare address. */
export interface Mailbox {
  /** The bare address, 7-bit ASCII: what SES authorises (`ses:FromAddress`) and what bounces go to. */
  address: string;
  /** The display name as people read it (unquoted, unencoded); absent when there is none. */
  name?: string | undefined;
}

/**
 * Characters that can end or bend a header line: controls (CR, LF, NUL, TAB, …) and Unicode's line
 * and paragraph separators, which some clients and gateways also treat as line ends.
 */
const LINE_BREAKING = /[\p{Cc}\p{Zl}\p{Zp}]/u;
/** And, for a value a person chose once (a setting), invisible ones too: format (bidi overrides, zero-width) and private use. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Zl}\p{Zp}]/u;
/** RFC 5322 atext: what a display name may hold without quotes (besides single spaces between words). */
const ATOMS = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(?: [A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*$/;
/** A header field name: printable ASCII but the colon (RFC 5322 ftext). */
const FIELD_NAME = /^[!-9;-~]+$/;
/** An encoded word is at most 75 characters; `=?UTF-8?B?` and `?=` leave 63, so 15 groups of 4 (45 bytes). */
const ENCODED_WORD_BYTES = 45;
const MAX_NAME_LENGTH = 200;
/** The same test of an address as the HR event's (zod's). */
const EMAIL = z.email();

/**
 * Reads a mailbox as a person writes it in a setting: `onboarding@example.org`,
 * `Wirral Children's Services onboarding <onboarding@example.org>` or, quoted,
 * `"Smith, Jones & Co" <hr@example.org>`. The address must be ASCII (a non-ASCII domain goes in
 * punycode, as SES requires); nothing may hold a control, format or line-breaking character.
 * Throws a RangeError saying what is wrong.
 */
export function parseMailbox(text: string): Mailbox {
  if (INVISIBLE.test(text)) {
    throw new RangeError(
      'must not contain control or invisible characters (a line break, a bidi override, …)',
    );
  }
  const trimmed = text.trim();
  if (!trimmed.includes('<') && !trimmed.includes('>')) return { address: checkedAddress(trimmed) };
  let name: string;
  let rest: string;
  if (trimmed.startsWith('"')) {
    const end = closingQuote(trimmed);
    name = trimmed.slice(1, end).replace(/\\(.)/g, '$1');
    rest = trimmed.slice(end + 1).trim();
  } else {
    const open = trimmed.indexOf('<');
    name = trimmed.slice(0, open).trim();
    rest = trimmed.slice(open);
    if (/["<>]/.test(name)) {
      throw new RangeError('a display name holding " < or > must be quoted: "Name" <address>');
    }
  }
  const angle = /^<([^<>]*)>$/.exec(rest);
  if (!angle) throw new RangeError('expected an address, or a display name then <address>');
  if (name.length > MAX_NAME_LENGTH)
    throw new RangeError(`the display name is over ${MAX_NAME_LENGTH} characters`);
  const address = checkedAddress((angle[1] as string).trim());
  return name.trim() ? { name: name.trim(), address } : { address };
}

/** The index of the quote closing the quoted string that `text` starts with. */
function closingQuote(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  throw new RangeError('the quoted display name has no closing quote');
}

function checkedAddress(address: string): string {
  if (!address) throw new RangeError('no address');
  if (/[^\p{ASCII}]/u.test(address)) {
    throw new RangeError('the address must be ASCII (write a non-ASCII domain in punycode, xn--…)');
  }
  if (!EMAIL.safeParse(address).success) throw new RangeError(`"${address}" is not an email address`);
  return address;
}

/** A zod schema for a setting holding a mailbox; its output is the parsed Mailbox. */
export const mailboxSetting = textSetting(parseMailbox);

/**
 * Writes a mailbox for a header (and SES v2's FromEmailAddress / ReplyToAddresses): the name as
 * atoms when it can be, quoted when it holds other ASCII, and as RFC 2047 encoded words (UTF-8,
 * base64) when it holds anything outside ASCII — SES takes no raw UTF-8 in a "friendly" name.
 * `field` names the header in the error when a part could break the line.
 */
export function formatMailbox(mailbox: Mailbox, field: string): string {
  const address = headerValue(field, mailbox.address);
  if (/\s|[<>]/.test(address)) throw new HeaderError(field);
  const name = mailbox.name === undefined ? '' : headerValue(field, mailbox.name).trim();
  if (!name) return address;
  return `${phrase(name)} <${address}>`;
}

function phrase(name: string): string {
  if (ATOMS.test(name)) return name;
  if (/^[\x20-\x7e]*$/.test(name)) return `"${name.replace(/["\\]/g, '\\$&')}"`;
  return encodedWords(name);
}

/** RFC 2047 section 5(3): B-encoded words, each whole characters and at most 75 long, spaced. */
function encodedWords(text: string): string {
  const words: string[] = [];
  let chunk = '';
  for (const char of text) {
    if (Buffer.byteLength(chunk + char, 'utf8') > ENCODED_WORD_BYTES) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(' ');
}

/** A header value as given, refused (HeaderError naming `field`) if it holds a line-breaking character. */
export function headerValue(field: string, value: string): string {
  if (LINE_BREAKING.test(value)) throw new HeaderError(field);
  return value;
}

/** A header field name as given, refused unless it is printable ASCII without a colon. */
export function headerName(name: string): string {
  if (!FIELD_NAME.test(name)) throw new HeaderError('a custom header name');
  return name;
}

/**
 * Header text made of templates and people's names (a Subject): every run of control or
 * line-breaking characters becomes one space, so nothing in it can start a new header.
 */
export function oneLine(text: string): string {
  return text.replace(new RegExp(`${LINE_BREAKING.source}+`, 'gu'), ' ').trim();
}
