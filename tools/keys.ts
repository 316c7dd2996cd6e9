/**
 * `npm run keys -- create --user NAME [--expires-in 30d] | list [--user NAME] | revoke KEY`: API keys, through
 * the API's admin endpoints. A created key is printed once; only its SHA-256 and prefix are stored.
 */
import { InvalidArgumentError, Option } from 'commander';
import { adminProgram, columns, type KeyAnswer } from './support/admin-client.js';

const duration = (text: string): number => {
  const m = /^(\d+)([hd])$/.exec(text);
  if (!m) throw new InvalidArgumentError('a number of hours or days: 12h, 30d');
  return Number(m[1]) * (m[2] === 'h' ? 3_600_000 : 86_400_000);
};

const { program, client, print, run } = adminProgram('keys', 'Manage olist-dw API keys (admin key needed)');

program.command('create').description('create a key for a user (printed once)')
  .requiredOption('--user <name>', 'the owner')
  .option('--description <text>', 'what the key is for')
  .addOption(new Option('--expires-in <duration>', 'expiry, e.g. 12h or 30d').argParser(duration))
  .action(async (o: { user: string; description?: string; expiresIn?: number }) => {
    const expiresAt = o.expiresIn === undefined ? undefined : new Date(Date.now() + o.expiresIn).toISOString();
    const key = await client().call<KeyAnswer>('POST', '/v1/admin/keys', { user: o.user, description: o.description, expiresAt });
    print(key, () => `${key.key}\n\nThe key of ${key.userName} (${key.prefix}…, id ${key.keyId}${key.expiresAt ? `, expires ${key.expiresAt}` : ''}). It is shown this once: store it now.`);
  });
program.command('list').description('list keys (prefixes, never keys)').option('--user <name>', 'only this user\u2019s')
  .action(async (o: { user?: string }) => {
    const { keys } = await client().call<{ keys: KeyAnswer[] }>('GET', `/v1/admin/keys${o.user ? `?user=${encodeURIComponent(o.user)}` : ''}`);
    print(keys, () => columns(['prefix', 'user', 'id', 'created', 'expires', 'revoked', 'description'],
      keys.map((k) => [`${k.prefix}…`, k.userName, k.keyId, k.createdAt, k.expiresAt ?? '', k.revokedAt ?? '', k.description])));
  });
program.command('revoke <key>').description('revoke a key by its id or prefix').action(async (key: string) => {
  const revoked = await client().call<KeyAnswer>('POST', `/v1/admin/keys/${encodeURIComponent(key.replace(/…$/, ''))}/revoke`);
  print(revoked, () => `key ${revoked.prefix}… of ${revoked.userName} revoked at ${revoked.revokedAt}`);
});

void run();
