import { parseArgs } from 'node:util';
import { DEMO_PARTNERS } from '../src/seed/demo-ids.js';
import { parseRoles } from '../src/shared/auth.js';
import { ConfigError, loadConfig } from '../src/shared/config.js';
import { mintToken } from '../src/shared/tokens.js';

/**
 * Prints a bearer token for the gateway on stdout (README, "Calling the API"):
 *   npm run -s token -- --partner <tenant ID | contoso | fabrikam | tailspin> --roles admin_agent,global_admin [--user u] [--expires 8h]
 * Signed with AUTH_SECRET, or the development secret when it is unset (said on stderr).
 */
const USAGE =
  'usage: npm run -s token -- --partner <tenant ID | contoso | fabrikam | tailspin> [--roles admin_agent,global_admin] [--user <user ID>] [--expires 8h]';

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

let values: { partner?: string; roles?: string; user?: string; expires?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      partner: { type: 'string', short: 'p' },
      roles: { type: 'string', short: 'r' },
      user: { type: 'string', short: 'u' },
      expires: { type: 'string', short: 'e' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}
const named = values.partner?.trim().toLowerCase();
if (!named) fail('Expected --partner with a partner tenant ID, but got none');
const partnerId = named in DEMO_PARTNERS ? DEMO_PARTNERS[named as keyof typeof DEMO_PARTNERS].id : named;
let roles;
try {
  roles = parseRoles(values.roles);
} catch (error) {
  fail((error instanceof Error ? error.message : String(error)).replace('Header X-Partner-Roles', '--roles'));
}
let token: string;
try {
  token = await mintToken({
    secret: config.authSecret,
    partnerId,
    userId: values.user?.trim() || undefined,
    roles,
    expiresIn: values.expires ?? '8h',
  });
} catch (error) {
  fail(
    `Expected --expires as a duration such as 8h, 30m or 7d, but got '${values.expires}' (${error instanceof Error ? error.message : String(error)})`,
  );
}
process.stderr.write(
  `token for partner ${partnerId}, roles [${roles.join(', ')}], expires in ${values.expires ?? '8h'}; signed with ${
    config.authSecretIsDevelopmentDefault ? 'the development secret (AUTH_SECRET is unset)' : 'AUTH_SECRET'
  }\n`,
);
process.stdout.write(`${token}\n`);
