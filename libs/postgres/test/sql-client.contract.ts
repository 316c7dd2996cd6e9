import type { SqlClient } from '../src/index.js';

/** Behaviour both SqlClient implementations share. The client is created once per suite. */
export function describeSqlClientContract(name: string, factory: () => Promise<{ client: SqlClient; cleanup(): Promise<void> }>): void {
  describe(`SqlClient contract: ${name}`, () => {
    let client: SqlClient;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      ({ client, cleanup } = await factory());
      await client.query(`CREATE TABLE IF NOT EXISTS sql_client_contract (id int PRIMARY KEY, big int8, doc jsonb)`);
    }, 60_000);
    afterAll(() => cleanup?.(), 60_000);

    it('returns int8 as bigint, jsonb parsed, timestamptz as Date', async () => {
      const { rows } = await client.query<{ big: bigint; doc: unknown; at: Date; n: number }>(
        `SELECT 9007199254740993::int8 AS big, '{"a":[1,"x"]}'::jsonb AS doc, now() AS at, 42 AS n`,
      );
      expect(rows[0]).toEqual({ big: 9007199254740993n, doc: { a: [1, 'x'] }, at: expect.any(Date), n: 42 });
    });

    it('binds parameters, including arrays and bigints', async () => {
      const { rows } = await client.query<{ t: string; b: bigint }>(
        `SELECT * FROM unnest($1::text[], $2::int8[]) AS u(t, b)`,
        [['a"b', 'c,d'], [1n, 2n ** 62n]],
      );
      expect(rows).toEqual([
        { t: 'a"b', b: 1n },
        { t: 'c,d', b: 2n ** 62n },
      ]);
    });

    it('reports the row count of writes and of selects', async () => {
      const insert = await client.query(`INSERT INTO sql_client_contract (id) VALUES (1), (2) ON CONFLICT DO NOTHING`);
      expect(insert.rowCount).toBe(2);
      const select = await client.query(`SELECT id FROM sql_client_contract WHERE id <= 2`);
      expect(select.rowCount).toBe(2);
    });

    it('commits a transaction and rolls it back on error', async () => {
      await client.transaction((tx) => tx.query(`INSERT INTO sql_client_contract (id) VALUES (10)`));
      await expect(
        client.transaction(async (tx) => {
          await tx.query(`INSERT INTO sql_client_contract (id) VALUES (11)`);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      const { rows } = await client.query<{ id: number }>(`SELECT id FROM sql_client_contract WHERE id IN (10, 11)`);
      expect(rows).toEqual([{ id: 10 }]);
    });

    it('runs multi-statement scripts, dollar-quoted bodies included, inside and outside transactions', async () => {
      await client.exec(`
        CREATE TABLE sql_client_script (id int PRIMARY KEY);
        CREATE FUNCTION sql_client_script_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'append-only; no %', TG_OP; END; $$;
        CREATE TRIGGER guard BEFORE DELETE ON sql_client_script FOR EACH ROW EXECUTE FUNCTION sql_client_script_guard();`);
      await client.transaction(async (tx) => tx.exec(`INSERT INTO sql_client_script VALUES (1); INSERT INTO sql_client_script VALUES (2);`));
      await expect(client.exec(`DELETE FROM sql_client_script`)).rejects.toThrow(/append-only; no DELETE/);
      await expect(client.transaction((tx) => tx.exec(`INSERT INTO sql_client_script VALUES (3); SELECT 1/0;`))).rejects.toThrow();
      expect((await client.query(`SELECT id FROM sql_client_script ORDER BY id`)).rows).toEqual([{ id: 1 }, { id: 2 }]);
    });

    it('nests transactions as savepoints', async () => {
      await client.transaction(async (tx) => {
        await tx.query(`INSERT INTO sql_client_contract (id) VALUES (20)`);
        await expect(
          tx.transaction(async (inner) => {
            await inner.query(`INSERT INTO sql_client_contract (id) VALUES (21)`);
            throw new Error('inner');
          }),
        ).rejects.toThrow('inner');
        await tx.transaction((inner) => inner.query(`INSERT INTO sql_client_contract (id) VALUES (22)`));
      });
      const { rows } = await client.query<{ id: number }>(`SELECT id FROM sql_client_contract WHERE id BETWEEN 20 AND 29 ORDER BY id`);
      expect(rows).toEqual([{ id: 20 }, { id: 22 }]);
    });

    it('exposes SQLSTATE codes on errors', async () => {
      const error = await client.query(`INSERT INTO sql_client_contract (id) VALUES (1)`).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: '23505' });
    });

    it('delivers notifications of committed transactions only', async () => {
      const received: string[] = [];
      const unlisten = await client.listen!('sql_client_contract', (payload) => received.push(payload));
      try {
        await client.transaction(async (tx) => {
          await tx.query(`SELECT pg_notify('sql_client_contract', 'rolled back')`);
          throw new Error('abort');
        }).catch(() => {});
        await client.transaction((tx) => tx.query(`SELECT pg_notify('sql_client_contract', 'committed')`));
        const deadline = Date.now() + 5000;
        while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        await new Promise((r) => setTimeout(r, 50));
        expect(received).toEqual(['committed']);
      } finally {
        await unlisten();
      }
    });
  });
}
