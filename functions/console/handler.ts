// /console/…: the HR and compliance console (being built: issue 15).
import type { HttpEvent, HttpResult } from '#shared/edge/http.ts';
import { config } from './config.ts';

export const handler = async (_event: HttpEvent): Promise<HttpResult> => ({
  statusCode: 503,
  headers: { 'content-type': 'text/plain' },
  body: `console for ${config.OIDC_CLIENT_ID} not built yet`,
});
