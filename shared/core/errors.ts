// Errors the domain raises; each carries a stable `code` that edges map to problem documents or pages.

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `data.email`. */
  field: string;
  message: string;
}

/**
 * How a refusal names the ask it refuses: the person and the policy as whoever asked knows them —
 * an employee id and a policy id on the command line, a name and a title in the console. A
 * refusal starts with these; an assignment id, if said, comes last.
 */
export interface AskNamed {
  who: string;
  policy: string;
}

export class AttestError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AttestError';
    this.code = code;
  }
}

/** Input failed validation; `issues` names each bad field. Safe to show. */
export class ValidationError extends AttestError {
  readonly issues: FieldIssue[];

  constructor(code: string, issues: FieldIssue[], options?: { cause?: unknown }) {
    super(code, `Invalid input: ${issues.map((i) => i.field).join(', ')}`, options);
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

/** A webhook's signature or timestamp did not verify. Reveals nothing about why. */
export class SignatureError extends AttestError {
  constructor(options?: { cause?: unknown }) {
    super('signature.invalid', 'The request signature could not be verified.', options);
    this.name = 'SignatureError';
  }
}

export type TokenErrorCode = 'token.malformed' | 'token.expired' | 'token.invalid';

/** An acknowledgement link's token is malformed, expired, tampered or for another purpose. */
export class TokenError extends AttestError {
  constructor(code: TokenErrorCode, options?: { cause?: unknown }) {
    super(code, 'The link is not valid.', options);
    this.name = 'TokenError';
  }
}

/** A record the request refers to does not exist. */
export class NotFoundError extends AttestError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'NotFoundError';
  }
}

/** Configuration is missing or malformed; raised at load so a bad deploy fails fast. */
export class ConfigError extends AttestError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('config.invalid', message, options);
    this.name = 'ConfigError';
  }
}

/** A downstream dependency failed in a way worth retrying later. */
export class RetryableError extends AttestError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'RetryableError';
  }
}

/**
 * A send that may or may not have reached the provider (a timeout, a dropped connection): the
 * email may have gone. Any other rejection of `Mailer.send` means it was not sent.
 */
export class EmailMaybeSentError extends AttestError {
  constructor(options?: { cause?: unknown }) {
    super('email.maybe_sent', 'The email provider did not answer: the email may have been sent.', options);
    this.name = 'EmailMaybeSentError';
  }
}

/**
 * The email provider refused the send for now — its sending rate (`rate`) or its daily quota
 * (`daily`) — or the mailer held it back to keep within them: the email was not sent, and is tried
 * again later (the mailer puts it back on its queue with a delay, uncounted towards the DLQ).
 */
export class EmailThrottledError extends AttestError {
  readonly quota: 'rate' | 'daily';

  constructor(quota: 'rate' | 'daily', options?: { cause?: unknown }) {
    super(
      'email.throttled',
      quota === 'daily'
        ? 'The daily sending quota is spent: the email waits until it allows more.'
        : 'The sending rate is reached: the email waits for its turn.',
      options,
    );
    this.name = 'EmailThrottledError';
    this.quota = quota;
  }
}

/**
 * A value bound for an email header holds a character that could end the line (CR, LF, NUL, …):
 * the email is not sent. Names the header, never the value (it may be a person's name or address).
 */
export class HeaderError extends AttestError {
  readonly header: string;

  constructor(header: string) {
    super(
      'mail.header_unsafe',
      `Refused to send: ${header} would hold a control or line-breaking character.`,
    );
    this.name = 'HeaderError';
    this.header = header;
  }
}

/** The person's data was erased (`attest privacy erase`): no event may write it again. */
export class ErasedError extends AttestError {
  constructor(message = 'This person’s data was erased; attest no longer takes events about them.') {
    super('starter.erased', message);
    this.name = 'ErasedError';
  }
}

/** Why an erased person's event or row is refused, saying when, and what to do instead. */
export function erasedMessage(erased: { at: string }): string {
  return `This person's data was erased on ${erased.at.slice(0, 10)} (attest privacy erase); attest takes no more events about them. Someone starting again needs a new employee id.`;
}
