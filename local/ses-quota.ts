// The local SES's send quota: GetAccount answers it, and sends beyond its rate or its day are refused as SES refuses them (429 TooManyRequestsException).
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export interface LocalSesQuota {
  /** Emails a second (a fraction allowed). */
  maxSendRate: number;
  /** Emails in any 24 hours; negative: no limit. */
  max24HourSend: number;
}

/** A new production SES account's quota (an account in the sandbox has 1 a second, 200 a day). */
export const LOCAL_SES_QUOTA: LocalSesQuota = { maxSendRate: 14, max24HourSend: 50_000 };

const DAY_MS = 86_400_000;

export interface SesQuotaGate {
  /** Changes the quota from now on (a test's throttled burst, a raised quota). */
  set(quota: LocalSesQuota): void;
  /** Sends refused so far, for the rate and for the day. */
  refused(): { rate: number; daily: number };
}

/**
 * Puts the quota in front of aws-ses-v2-local's own handler on `server` (it answers GetAccount only
 * from an environment variable of its process, and never throttles). A send is let through when the
 * account's token bucket — a second of sends at most, at least one, refilled at the rate — has a
 * token and fewer than the day's quota went in the last 24 hours; else it gets SES v2's answer,
 * 429 TooManyRequestsException with SES's message. GetAccount (GET /v2/email/account) reports the
 * quota and the sends it let through in the last 24 hours. Each SendEmail call counts as one send
 * (SES counts each recipient; the mailer sends to one, or a decline notice's two).
 */
export function gateSesQuota(server: Server, initial: LocalSesQuota, now = () => Date.now()): SesQuotaGate {
  let quota = initial;
  let tokens = Math.max(1, quota.maxSendRate);
  let filledAt = now();
  const sentAt: number[] = [];
  const refused = { rate: 0, daily: 0 };
  const [ses] = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  if (!ses) throw new Error('the local SES has no request handler to gate');

  const sentToday = (at: number) => {
    while (sentAt.length && (sentAt[0] as number) <= at - DAY_MS) sentAt.shift();
    return sentAt.length;
  };
  const json = (res: ServerResponse, status: number, body: unknown, errorType?: string) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      ...(errorType && { 'x-amzn-errortype': errorType }),
    });
    res.end(JSON.stringify(body));
  };

  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    const at = now();
    if (req.method === 'GET' && path === '/v2/email/account') {
      return json(res, 200, {
        DedicatedIpAutoWarmupEnabled: false,
        EnforcementStatus: 'HEALTHY',
        ProductionAccessEnabled: true,
        SendingEnabled: true,
        SendQuota: {
          Max24HourSend: quota.max24HourSend,
          MaxSendRate: quota.maxSendRate,
          SentLast24Hours: sentToday(at),
        },
      });
    }
    if (req.method === 'POST' && path === '/v2/email/outbound-emails') {
      if (quota.max24HourSend >= 0 && sentToday(at) >= quota.max24HourSend) {
        refused.daily += 1;
        return json(res, 429, { message: 'Daily message quota exceeded.' }, 'TooManyRequestsException');
      }
      const capacity = Math.max(1, quota.maxSendRate);
      tokens = Math.min(capacity, tokens + ((at - filledAt) / 1000) * quota.maxSendRate);
      filledAt = at;
      if (tokens < 1) {
        refused.rate += 1;
        return json(res, 429, { message: 'Maximum sending rate exceeded.' }, 'TooManyRequestsException');
      }
      tokens -= 1;
      sentAt.push(at);
    }
    ses(req, res);
  });

  return {
    set(next) {
      quota = next;
      tokens = Math.min(tokens, Math.max(1, next.maxSendRate));
    },
    refused: () => ({ ...refused }),
  };
}
