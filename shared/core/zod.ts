// zod as every schema here is written: its functional API (zod/mini), about a third of the classic API's bytes in each bundle, speaking English.
import { en } from 'zod/locales';
import * as z from 'zod/mini';

// zod/mini brings no locale: without one, every issue reads "Invalid input". English, as the classic
// API sets it, gives the same messages; importing `en` alone keeps the other locales out (about 3 KB).
z.config(en());

export * from 'zod/mini';
