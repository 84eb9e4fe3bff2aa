// Structured JSON logs through Powertools' Logger; callers pass ids, never personal data.
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Logger } from '../ports.ts';

export function makeLogger(serviceName = 'attest'): Logger & { raw: PowertoolsLogger } {
  const raw = new PowertoolsLogger({ serviceName });
  return {
    raw,
    debug: (message, extra) => raw.debug(message, extra ?? {}),
    info: (message, extra) => raw.info(message, extra ?? {}),
    warn: (message, extra) => raw.warn(message, extra ?? {}),
    error: (message, extra) => raw.error(message, extra ?? {}),
  };
}
