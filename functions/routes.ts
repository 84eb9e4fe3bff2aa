// The HTTP API's routes, each with the function that answers it: the CDK stack's API and the local gateway both serve this one table.

export const HTTP_ROUTES = [
  { method: 'POST', path: '/v1/starters', function: 'ingest' },
  { method: 'GET', path: '/ack/{token}', function: 'ack' },
  { method: 'POST', path: '/ack/{token}', function: 'ack' },
  { method: 'POST', path: '/ack/resend/{token}', function: 'ack' },
] as const;

/** The functions behind the HTTP API. */
export type HttpFunction = (typeof HTTP_ROUTES)[number]['function'];
