// The HTTP API's routes, each with the function that answers it: the CDK stack's API and the local gateway both serve this one table.

export const HTTP_ROUTES = [
  { method: 'POST', path: '/v1/starters', function: 'ingest' },
  { method: 'GET', path: '/ack/{token}', function: 'ack' },
  { method: 'POST', path: '/ack/{token}', function: 'ack' },
  { method: 'POST', path: '/ack/resend/{token}', function: 'ack' },
  // The organisation's logo (ORGANISATION_LOGO), served beside the pages that show it.
  { method: 'GET', path: '/assets/{file}', function: 'ack' },
  // SCIM 2.0 (RFC 7644): one function answers every resource below /scim/v2.
  ...(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).map(
    (method) => ({ method, path: '/scim/v2/{proxy+}', function: 'scim' }) as const,
  ),
  // The HR and compliance console: its pages, sign-in and actions, all below /console.
  { method: 'GET', path: '/console', function: 'console' },
  { method: 'GET', path: '/console/{proxy+}', function: 'console' },
  { method: 'POST', path: '/console/{proxy+}', function: 'console' },
] as const;

/** The functions behind the HTTP API. */
export type HttpFunction = (typeof HTTP_ROUTES)[number]['function'];
