#!/usr/bin/env node
// The `attest` executable (`npx attest …`): runs bin/attest.ts through tsx in this process, so that
// stdout carries only the command's answer (no npm banner) and pipes such as `| sha256sum` hold.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./attest.ts');
process.exitCode = await main(process.argv.slice(2), process.env);
