/**
 * `npm run erase -- <customer_unique_id> --reason <ref>`: LGPD erasure of one person through the API
 * (`POST /v1/admin/erasures`, an admin key: --api-key, OLIST_DW_API_KEY, else var/admin.key). Their data keys are
 * deleted; the projectors mark their personal fields erased; every non-personal fact stays (docs/personal-data.md).
 */
import { Argument, Option } from 'commander';
import { adminProgram } from './support/admin-client.js';

interface ErasureAnswer { subjectId: string; status: 'erased' | 'already-erased'; keyIds: string[]; erasedAt: string }

const { program, client, print, run } = adminProgram('erase', "Erase a person's personal data (crypto-shredding)");
program
  .addArgument(new Argument('<customer_unique_id>', "the person: Olist's customer_unique_id"))
  .addOption(new Option('--reason <ref>', 'why: a reference such as a ticket number (kept in the log; never personal data)').makeOptionMandatory())
  .action(async (subjectId: string, o: { reason: string }) => {
    const answer = await client().call<ErasureAnswer>('POST', '/v1/admin/erasures', { customerUniqueId: subjectId, reason: o.reason });
    print(answer, () =>
      answer.status === 'erased'
        ? `erased ${answer.subjectId}: ${answer.keyIds.length} data key(s) deleted at ${answer.erasedAt}; the projectors now mark their personal fields erased`
        : `${answer.subjectId} was already erased at ${answer.erasedAt} (${answer.keyIds.length} data key(s))`,
    );
  });

void run();
