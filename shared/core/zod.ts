// zod as every schema here is written: its functional API (zod/mini), about a third of the classic API's bytes in each bundle, speaking English.
import { en } from 'zod/locales';
import * as z from 'zod/mini';

// zod/mini brings no locale: without one, every issue reads "Invalid input". English, as the classic
// API sets it, gives the same messages for about 2.7 KB a bundle; `en` is imported by name because
// `z.locales.en()` would bundle all of zod's locales (about 270 KB).
z.config(en());

export * from 'zod/mini';
