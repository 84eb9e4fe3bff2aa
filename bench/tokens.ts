// Figure: link tokens signed and verified per second, against JWT (HS256 via jose) in the same run.
import { jwtVerify, SignJWT } from 'jose';
import { newTokenId } from '#shared/core/ids.ts';
import { parseTokenKeys, signToken, verifyToken } from '#shared/core/tokens.ts';
import { measure, report } from './measure.ts';

export async function run(): Promise<void> {
  const keys = parseTokenKeys('k1:benchmark-token-key-benchmark-token-key');
  const secret = new TextEncoder().encode('benchmark-token-key-benchmark-token-key');
  const now = new Date();
  const claims = () => ({
    assignmentId: 'AAAAAAAAAAAAAAAAAAAAAA',
    purpose: 'ack' as const,
    expiresAt: new Date(now.getTime() + 30 * 86400_000),
    tokenId: newTokenId(),
  });
  const jwt = () =>
    new SignJWT({ a: 'AAAAAAAAAAAAAAAAAAAAAA', p: 'ack' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setJti(newTokenId())
      .setExpirationTime('30d')
      .sign(secret);

  const sign = await measure(() => signToken(keys, claims()), 2000);
  const jwtSign = await measure(jwt, 2000);
  report(
    'Token signing',
    'tokens/s',
    ['attest token (HMAC-SHA256, binary)', sign.perSecond],
    ['JWT HS256 (jose, baseline)', jwtSign.perSecond],
  );

  const token = signToken(keys, claims());
  const jwtToken = await jwt();
  const verify = await measure(() => verifyToken(keys, token, 'ack', new Date()), 2000);
  const jwtVerifyRate = await measure(() => jwtVerify(jwtToken, secret), 2000);
  report(
    'Token verification',
    'tokens/s',
    ['attest token', verify.perSecond],
    ['JWT HS256 (jose, baseline)', jwtVerifyRate.perSecond],
  );
  console.log(`  length: attest ${token.length} characters, JWT ${jwtToken.length}`);
}
