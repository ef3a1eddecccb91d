import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { PROJECT_ROOT } from '../src/shared/config.js';
import { createSchema } from '../src/app/schema.js';

/**
 * `write`: print the schema built from the code into schema/schema.graphql.
 * `check`: fail (exit 1) when the checked-in file differs from the code.
 */
const mode = process.argv[2];
const file = path.join(PROJECT_ROOT, 'schema/schema.graphql');
const header = '# Generated from the code by `npm run schema`; do not edit. `npm run schema:check` verifies it.\n\n';
const printed = header + printSchema(lexicographicSortSchema(await createSchema())) + '\n';

if (mode === 'write') {
  writeFileSync(file, printed);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
} else if (mode === 'check') {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    console.error(`schema check failed: ${file} does not exist; run \`npm run schema\``);
    process.exit(1);
  }
  if (current !== printed) {
    const a = current.split('\n');
    const b = printed.split('\n');
    const line = a.findIndex((l, i) => l !== b[i]);
    console.error(`schema check failed: schema/schema.graphql differs from the code at line ${line + 1}:`);
    console.error(`  file: ${a[line] ?? '(end of file)'}\n  code: ${b[line] ?? '(end of file)'}`);
    console.error('Run `npm run schema` and commit the result.');
    process.exit(1);
  }
  console.log('schema/schema.graphql matches the code');
} else {
  console.error('usage: schema.ts write|check');
  process.exit(2);
}
