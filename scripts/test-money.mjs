#!/usr/bin/env node
/**
 * The money conservation property test (test/e2e/money-conservation.property.test.ts) with many
 * more runs than `npm test` gives it:
 *
 *   npm run test:money -- --runs 500 [--seed 42] [--features seatGroups,addOnBaseTerm,monthlyBilling] [--trace]
 *
 * Options become the test's environment (MONEY_PROPERTY_RUNS, MONEY_PROPERTY_SEED,
 * MONEY_FEATURES, MONEY_TRACE); the default seed is a fresh one, printed, so a failure can be replayed.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '200' },
    seed: { type: 'string' },
    features: { type: 'string' },
    trace: { type: 'boolean', default: false },
  },
});
const seed = values.seed ?? String(Math.floor(Math.random() * 2 ** 31));
const env = { ...process.env, MONEY_PROPERTY_RUNS: values.runs, MONEY_PROPERTY_SEED: seed };
if (values.features) env.MONEY_FEATURES = values.features;
if (values.trace) env.MONEY_TRACE = '1';
process.stdout.write(`money conservation: ${values.runs} runs, seed ${seed}${values.features ? `, features ${values.features}` : ''}\n`);
const child = spawn('npx', ['vitest', 'run', 'test/e2e/money-conservation.property.test.ts'], { env, stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
