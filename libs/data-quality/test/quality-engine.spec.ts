import { StarSchemaProjection } from '@olist/analytics';
import { DuckDbDatabase, type DuckDbClient } from '@olist/duckdb';
import { RULE_TYPES, loadRuleSet, parseRuleSet, qualityOutcome, qualityScore, runQualityChecks, type QualityCheckResult, type RuleSet } from '@olist/data-quality';

/** The shipped rules against a star schema holding a handful of hand-written rows, each breaking one rule. */
describe('quality engine', () => {
  let db: DuckDbDatabase;
  let client: DuckDbClient;
  let rules: RuleSet;
  let results: Map<string, QualityCheckResult>;

  beforeAll(async () => {
    db = await DuckDbDatabase.open();
    await new StarSchemaProjection(db).init();
    client = await db.connect();
    await client.run(`
      INSERT INTO core.dim_customer VALUES
        (101, 'c1', 'u1', '01001', 'sao paulo', 'SP', 0),
        (102, 'c2', 'u2', '01001', 'sao paulo', 'XX', 0),
        (103, 'c1', 'u3', '01001', 'sao paulo', 'SP', 0);
      INSERT INTO core.fact_orders (order_id, customer_id, customer_key, purchase_date_key, order_status, purchased_at, approved_at,
          delivered_carrier_at, delivered_customer_at, estimated_delivery_at, item_count, items_value, freight_value, payment_value) VALUES
        ('o1', 'c1', 101, 20180601, 'delivered', '2018-06-01 10:00:00', '2018-06-01 11:00:00', '2018-06-02 09:00:00', '2018-06-05 12:00:00', '2018-06-20 00:00:00', 1, 50.00, 10.00, 60.00),
        ('o2', 'cX', 0, 20180501, 'delivered', '2018-05-10 10:00:00', '2018-05-10 11:00:00', '2018-05-10 09:00:00', '2018-05-09 12:00:00', '2018-05-30 00:00:00', 1, 20.00, 5.00, 30.00),
        ('o3', 'c1', 101, 20180501, 'lost', '2018-05-11 10:00:00', NULL, NULL, NULL, '2018-05-30 00:00:00', 0, 0, 0, 0);
      INSERT INTO core.fact_order_items VALUES
        ('o1', 1, 'p1', 's1', 0, 0, 101, 20180601, '2018-06-03 00:00:00', 50.00, 10.00),
        ('o2', 1, 'p1', 's1', 0, 0, 0, 20180501, '2018-05-12 00:00:00', 20.00, 5.00);
      INSERT INTO core.fact_payments VALUES ('o1', 1, 101, 20180601, 'credit_card', 0, 60.00), ('o2', 1, 0, 20180501, 'pix', 1, 30.00);
      INSERT INTO core.fact_reviews VALUES ('r1', 'o1', 101, 7, false, 20180101, '2018-01-01 00:00:00', '2017-12-31 00:00:00');
    `);
    rules = await loadRuleSet();
    results = new Map((await runQualityChecks(client, rules)).map((r) => [r.ruleId, r]));
  });

  afterAll(() => {
    client?.close();
    db?.close();
  });

  const check = (id: string) => {
    const result = results.get(id);
    if (!result) throw new Error(`no check ${id}`);
    return result;
  };

  it('ships a default rule set of every type, at least 25 rules', () => {
    expect(rules.rules.length).toBeGreaterThanOrEqual(25);
    expect(new Set(rules.rules.map((r) => r.type))).toEqual(new Set(RULE_TYPES));
    expect(results.size).toBe(rules.rules.length);
    expect([...results.values()].filter((r) => r.error)).toEqual([]);
  });

  it('REFERENTIAL: a fact pointing to the unknown member fails, with the row as sample', () => {
    expect(check('fact_orders.customer.referential')).toMatchObject({ rowsChecked: 3, rowsFailed: 1, passed: false, samples: [{ order_id: 'o2', customer_id: 'cX', value: '0' }] });
    expect(check('fact_order_items.product.referential')).toMatchObject({ rowsChecked: 2, rowsFailed: 2 });
    expect(check('fact_payments.order.referential')).toMatchObject({ rowsChecked: 2, rowsFailed: 0, passed: true, samples: [] });
  });

  it('RANGE on an expression: delivered before purchase, carrier before approval, payments not matching items', () => {
    expect(check('fact_orders.delivered_after_purchase')).toMatchObject({ rowsChecked: 2, rowsFailed: 1, samples: [{ order_id: 'o2' }] });
    expect(check('fact_orders.carrier_after_approval')).toMatchObject({ rowsChecked: 2, rowsFailed: 1, passed: false });
    // o3 has no item: not checked.
    expect(check('fact_orders.payments_match_items')).toMatchObject({ rowsChecked: 2, rowsFailed: 1, samples: [{ order_id: 'o2', payment_value: '30.00' }] });
    expect(check('fact_payments.installments.range')).toMatchObject({ rowsFailed: 1, samples: [{ order_id: 'o1', payment_sequential: '1', value: '0' }] });
    expect(check('fact_reviews.score.range')).toMatchObject({ rowsChecked: 1, rowsFailed: 1 });
    expect(check('fact_reviews.answered_after_created')).toMatchObject({ rowsFailed: 1 });
  });

  it('ACCEPTED_VALUES, UNIQUE and NOT_NULL with a where clause', () => {
    expect(check('fact_orders.status.accepted_values')).toMatchObject({ rowsFailed: 1, samples: [{ order_id: 'o3', value: 'lost' }] });
    expect(check('fact_payments.type.accepted_values')).toMatchObject({ rowsFailed: 1, samples: [{ value: 'pix' }] });
    expect(check('dim_customer.state.accepted_values')).toMatchObject({ rowsChecked: 3, rowsFailed: 1 });
    // Every occurrence of a duplicated key fails.
    expect(check('dim_customer.customer_id.unique')).toMatchObject({ rowsChecked: 4, rowsFailed: 2, samples: [{ customer_id: 'c1' }, { customer_id: 'c1' }] });
    // The shipped unknown member (key 0) is not a customer_id duplicate; o3 ('lost') is outside the where clause.
    expect(check('fact_orders.approved_at.not_null')).toMatchObject({ rowsChecked: 2, rowsFailed: 0, passed: true });
  });

  it('FRESHNESS: the latest value against the latest purchase, and an empty table fails', () => {
    expect(check('fact_reviews.freshness')).toMatchObject({ rowsChecked: 1, rowsFailed: 1, samples: [{ latest: '2018-01-01 00:00:00', as_of: '2018-06-01 10:00:00' }] });
    expect(check('fact_order_items.freshness')).toMatchObject({ rowsChecked: 1, rowsFailed: 0, passed: true });
    expect(check('fact_deliveries.freshness')).toMatchObject({ rowsChecked: 1, rowsFailed: 1, samples: [{ latest: null }] });
  });

  it('a threshold tolerates a share of failing rows', async () => {
    const [tolerant, strict] = await runQualityChecks(client, parseRuleSet({
      name: 't', version: 1, rules: [
        { id: 'a', type: 'NOT_NULL', severity: 'INFO', table: 'core.fact_orders', column: 'approved_at', threshold: 0.34, sample: ['order_id'], description: '1 of 3' },
        { id: 'b', type: 'NOT_NULL', severity: 'INFO', table: 'core.fact_orders', column: 'approved_at', threshold: 0.33, sample: ['order_id'], description: '1 of 3' },
      ],
    }));
    expect([tolerant!.passed, strict!.passed]).toEqual([true, false]);
  });

  it('a rule that cannot run fails with its error', async () => {
    const [result] = await runQualityChecks(client, parseRuleSet({
      name: 't', version: 1, rules: [{ id: 'x', type: 'NOT_NULL', severity: 'WARNING', table: 'core.no_such_table', column: 'a', sample: [], description: 'x' }],
    }));
    expect(result).toMatchObject({ passed: false, rowsChecked: 0 });
    expect(result!.error).toMatch(/no_such_table/);
  });

  it('refuses an invalid rule set, naming every problem', () => {
    expect(() => parseRuleSet({
      name: 'bad', version: 1, rules: [
        { id: 'a', type: 'RANGE', severity: 'FATAL', table: 'core.t; DROP TABLE x', column: 'a', sample: [], description: 'no bounds' },
        { id: 'a', type: 'UNIQUE', severity: 'INFO', table: 'core.t', sample: [], description: 'no columns' },
      ],
    })).toThrow(/rules\.0\.severity[\s\S]*rules\.0\.table[\s\S]*rules\.0\.min[\s\S]*rules\.1\.columns[\s\S]*duplicate id a/);
  });
});

describe('quality score', () => {
  const c = (severity: 'CRITICAL' | 'WARNING' | 'INFO', passed: boolean) => ({ severity, passed });

  it('is the share of passed checks weighted by severity (3, 2, 1)', () => {
    expect(qualityScore([c('CRITICAL', true), c('WARNING', true), c('INFO', false)])).toBe(83.33);
    expect(qualityScore([c('CRITICAL', false), c('WARNING', true), c('INFO', true)])).toBe(50);
    expect(qualityScore([])).toBe(100);
  });

  it('gives SUCCESS from 95, WARN below 95, FAILED below 80', () => {
    expect([100, 95, 94.99, 80, 79.99].map(qualityOutcome)).toEqual(['SUCCESS', 'SUCCESS', 'WARN', 'WARN', 'FAILED']);
  });
});
