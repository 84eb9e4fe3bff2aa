// The ses-events function's settings, parsed once at load.
import { common, parseEnv } from '#shared/config.ts';
import * as z from '#shared/core/zod.ts';

export const config = parseEnv(
  z.object({
    TABLE_NAME: common.TABLE_NAME,
    DUE_SHARDS: common.DUE_SHARDS,
    MAIL_QUEUE_URL: z.url(),
  }),
  process.env,
);
