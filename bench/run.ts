// `npm run bench`: each figure against its baseline, measured in the same run.
import { run as bundles } from './bundles.ts';
import { run as calls } from './calls.ts';
import { run as consoleOverview } from './console.ts';
import { run as cost } from './cost.ts';
import { run as deliveries } from './deliveries.ts';
import { run as importStarters } from './import.ts';
import { run as page } from './page.ts';
import { run as pipeline } from './pipeline.ts';
import { run as render } from './render.ts';
import { run as report } from './report.ts';
import { run as scale } from './scale.ts';
import { run as sweep } from './sweep.ts';
import { run as tokens } from './tokens.ts';

const figures: Array<[string, () => Promise<void>]> = [
  ['render', render],
  ['tokens', tokens],
  ['page', page],
  ['sweep', sweep],
  ['deliveries', deliveries],
  ['report', report],
  ['import', importStarters],
  ['console', consoleOverview],
  ['bundles', bundles],
  ['calls', calls],
  ['cost', cost],
  ['scale', scale],
  ['pipeline', pipeline],
];

const only = process.argv.slice(2);
console.log(`attest benchmarks — node ${process.version}, ${new Date().toISOString()}`);
for (const [name, run] of figures) {
  if (only.length === 0 || only.includes(name)) await run();
}
