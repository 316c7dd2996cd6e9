/**
 * `npm run users -- add NAME --role ROLE | list | disable NAME`: the API's users, through its admin
 * endpoints (the API must run; an admin key from --api-key, OLIST_DW_API_KEY or var/admin.key).
 */
import { Option } from 'commander';
import { ROLES } from '@olist/security';
import { adminProgram, columns, type UserAnswer } from './support/admin-client.js';

const { program, client, print, run } = adminProgram('users', 'Manage olist-dw users (admin key needed)');

program.command('add <name>').description('add a user').addOption(new Option('--role <role>', 'the role').choices(ROLES).makeOptionMandatory())
  .action(async (name: string, o: { role: string }) => {
    const user = await client().call<UserAnswer>('POST', '/v1/admin/users', { name, role: o.role });
    print(user, () => `user ${user.name} (${user.role}) added; create a key with: npm run keys -- create --user ${user.name}`);
  });
program.command('list').description('list the users').action(async () => {
  const { users } = await client().call<{ users: UserAnswer[] }>('GET', '/v1/admin/users');
  print(users, () => columns(['name', 'role', 'created', 'disabled'], users.map((u) => [u.name, u.role, u.createdAt, u.disabledAt ?? ''])));
});
program.command('disable <name>').description('disable a user: every key of theirs stops working').action(async (name: string) => {
  const answer = await client().call<unknown>('POST', `/v1/admin/users/${encodeURIComponent(name)}/disable`);
  print(answer, () => `user ${name} disabled`);
});

void run();
