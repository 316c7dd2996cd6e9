import { storableText, unstorableTextProblem } from '@olist/shared-kernel';
import { MAX_VALUE_BYTES, RowParser, sourceFile, type SourceFileName } from '../src/index.js';

const parser = (name: SourceFileName, header?: string[]) => {
  const file = sourceFile(name)!;
  return new RowParser(file, header ?? [...file.columns]);
};

describe('RowParser', () => {
  it('turns a real order row into PlaceOrder and TrackShipment', () => {
    const row = ['e481f51cbdc54678b7cc49136f2d6af7', '9ef432eb6251297304e76186b10a928d', 'delivered', '2017-10-02 10:56:33', '2017-10-02 11:07:15', '2017-10-04 19:55:00', '2017-10-10 21:25:13', '2017-10-18 00:00:00'];
    const parsed = parser('orders').parse(row);
    expect(parsed).toEqual({
      kind: 'commands',
      commands: [
        { type: 'PlaceOrder', orderId: row[0], customerId: row[1], status: 'delivered', purchasedAt: '2017-10-02T10:56:33.000Z', approvedAt: '2017-10-02T11:07:15.000Z', estimatedDeliveryAt: '2017-10-18T00:00:00.000Z' },
        { type: 'TrackShipment', orderId: row[0], orderStatus: 'delivered', dispatchedAt: '2017-10-04T19:55:00.000Z', deliveredAt: '2017-10-10T21:25:13.000Z', estimatedDeliveryAt: '2017-10-18T00:00:00.000Z' },
      ],
    });
  });

  it('reads money as exact centavos', () => {
    const parsed = parser('order_items').parse(['o1', '1', 'p1', 's1', '2017-09-19 09:45:35', '58.90', '13.29']);
    expect(parsed.kind === 'commands' && parsed.commands[0]).toMatchObject({ price: 5890, freight: 1329, orderItemId: 1 });
  });

  it('restores a lost zip leading zero', () => {
    const parsed = parser('geolocation').parse(['1037', '-23.54562128115268', '-46.63929204800168', 'sao paulo', 'SP']);
    expect(parsed.kind === 'commands' && parsed.commands[0]).toMatchObject({ zipPrefix: '01037', lat: -23.54562128115268 });
  });

  it('rejects coordinates that are no point on Earth, and keeps one outside Brazil', () => {
    expect(parser('geolocation').parse(['01037', '-123.5', '200', 'sao paulo', 'SP'])).toEqual({
      kind: 'invalid',
      reasons: ['geolocation_lat: latitude -123.5 is not between -90 and 90', 'geolocation_lng: longitude 200 is not between -180 and 180'],
    });
    // A real Olist row: a Brazilian zip prefix geolocated in Portugal. Valid data, a quality finding.
    expect(parser('geolocation').parse(['23090', '38.72', '-9.14', 'rio de janeiro', 'RJ']).kind).toBe('commands');
  });

  it('gives every reason, naming the field', () => {
    const parsed = parser('order_items').parse(['o1', 'x', 'p1', 's1', 'tomorrow', '1,5', '']);
    expect(parsed).toEqual({
      kind: 'invalid',
      reasons: [
        'order_item_id: "x" is not an integer',
        'shipping_limit_date: "tomorrow" is not a timestamp (YYYY-MM-DD HH:MM:SS)',
        'price: "1,5" is not an amount (e.g. 58.90)',
        'freight_value: is empty',
      ],
    });
  });

  it('rejects an unknown state and status', () => {
    expect(parser('sellers').parse(['s1', '13023', 'campinas', 'XX'])).toEqual({ kind: 'invalid', reasons: ['seller_state: "XX" is not a Brazilian state (UF)'] });
    const order = parser('orders').parse(['o', 'c', 'lost', '2017-10-02 10:56:33', '', '', '', '']);
    expect(order.kind === 'invalid' && order.reasons[0]).toMatch(/^order_status: "lost" is not one of created/);
  });

  it('rejects a row with a wrong number of values, naming the columns missing or where the extra values are', () => {
    expect(parser('categories').parse(['artes'])).toEqual({
      kind: 'invalid',
      reasons: ['row has 1 value but the header has 2 columns: product_category_name_english missing', 'product_category_name_english: is empty'],
    });
    expect(parser('categories').parse(['artes', 'art', 'x', 'y'])).toEqual({
      kind: 'invalid',
      reasons: ['row has 4 values but the header has 2 columns: 2 after product_category_name_english'],
    });
  });

  it('rejects ids and category names that are no identifier, and keeps the first reason of a field', () => {
    const item = (orderId: string, productId = 'p1') => parser('order_items').parse([orderId, '1', productId, 's1', '2017-09-19 09:45:35', '58.90', '13.29']);
    expect(item('o😀1')).toEqual({ kind: 'invalid', reasons: ['order_id: "o😀1" is not an identifier (printable ASCII characters without blanks)'] });
    expect(item('o1\u200f')).toEqual({ kind: 'invalid', reasons: ['order_id: "o1\\u200f" is not an identifier (printable ASCII characters without blanks)'] });
    expect(item('o1', 'k'.repeat(3000))).toEqual({ kind: 'invalid', reasons: ['product_id: is 3000 characters long, over the 128 an identifier may have'] });
    expect(item('o\u00001')).toEqual({ kind: 'invalid', reasons: ['order_id: contains a NUL character (U+0000)'] });
    expect(parser('categories').parse(['cama mesa', 'bed'])).toEqual({ kind: 'invalid', reasons: ['product_category_name: "cama mesa" is not an identifier (printable ASCII characters without blanks)'] });
    expect(parser('products').parse(['p1', 'bebês', '', '', '', '225', '16', '10', '14']).kind).toBe('invalid');
  });

  it('reads numbers written in decimal only, and -0 as 0', () => {
    const product = (weight: string) => parser('products').parse(['p1', '', '', '', '', weight, '16', '10', '14']);
    for (const bad of ['1e309', '-1e309', 'NaN', 'Infinity', '0x1F', '1_000', '1,5', '10\u200f']) {
      expect([bad, product(bad)]).toEqual([bad, { kind: 'invalid', reasons: [expect.stringMatching(/^product_weight_g: ".*" is not a number$/)] }]);
    }
    for (const [text, n] of [['1e3', 1000], ['225.0', 225], ['.5', 0.5], ['-0', 0]] as const) {
      const parsed = product(text);
      expect(parsed.kind === 'commands' && Object.is((parsed.commands[0] as { weightG: number }).weightG, n)).toBe(true);
    }
    const item = parser('order_items').parse(['o1', '-0', 'p1', 's1', '2017-09-19 09:45:35', '-0.00', '-0']);
    expect(item.kind === 'commands' && item.commands[0]).toMatchObject({ orderItemId: 0, price: 0, freight: 0 });
    expect(item.kind === 'commands' && [item.commands[0]].map((c) => Object.is((c as { freight: number }).freight, -0))).toEqual([false]);
  });

  it('rejects a row whose text the loader found faulty, naming each value\u2019s column, and a value over the size limit', () => {
    const review = ['r1', 'o1', '5', 'ok', 'chegou', '2017-09-20 00:00:00', '2017-09-21 10:00:00'];
    expect(parser('reviews').parse(review, [{ position: 4, kind: 'not-utf8' }])).toEqual({
      kind: 'invalid',
      reasons: ['review_comment_message: is not valid UTF-8 (the bytes that are not read as U+FFFD)'],
    });
    // A quote left open: the values are not the columns', only the fault is told.
    expect(parser('reviews').parse(['r1', 'o1', '5', '"ok,chegou,2017-09-20'], [{ position: 3, kind: 'unclosed-quote' }])).toEqual({
      kind: 'invalid',
      reasons: ['review_comment_title: its opening quote is never closed on the line, so the line cannot be split into values'],
    });
    expect(parser('reviews').parse(review, [{ position: 0, kind: 'too-large', bytes: 5_242_880 }])).toEqual({
      kind: 'invalid',
      reasons: ['review_id: is 5,242,880 bytes long, over the limit of 65,536'],
    });
    const long = [...review];
    long[4] = 'é'.repeat(MAX_VALUE_BYTES / 2 + 1);
    expect(parser('reviews').parse(long)).toEqual({ kind: 'invalid', reasons: ['review_comment_message: is 65,538 bytes long, over the limit of 65,536'] });
    // What is kept of it for the quarantine is its beginning.
    expect(parser('reviews').rawRow(long)['review_comment_message']).toBe(`${'é'.repeat(256)}…`);
    expect(parser('reviews').parse([...review, 'a', 'b', 'c\ufffd'], [{ position: 9, kind: 'not-utf8' }])).toEqual({
      kind: 'invalid',
      reasons: [expect.stringMatching(/^extra_3: is not valid UTF-8/), 'row has 10 values but the header has 7 columns: 3 after review_answer_timestamp'],
    });
  });

  it('rejects every row of a file whose header misses a column', () => {
    expect(parser('categories', ['product_category_name', 'english']).parse(['artes', 'art'])).toEqual({
      kind: 'invalid',
      reasons: ['header: column product_category_name_english is missing'],
    });
  });

  it('keeps a product without category as null, lengths empty', () => {
    const parsed = parser('products').parse(['p1', '', '', '', '', '225', '16', '10', '14']);
    expect(parsed.kind === 'commands' && parsed.commands[0]).toMatchObject({ category: null, nameLength: null, weightG: 225 });
  });
  it('rejects text PostgreSQL cannot hold, naming the field once even when two commands read it, and keeps emoji and right-to-left marks', () => {
    const order = ['o\u00001', 'c1', 'delivered', '2017-10-02 10:56:33', '', '', '', '2017-10-18 00:00:00'];
    expect(parser('orders').parse(order)).toEqual({ kind: 'invalid', reasons: ['order_id: contains a NUL character (U+0000)'] });
    expect(parser('categories').parse(['cama\ud800', 'bed'])).toEqual({
      kind: 'invalid',
      reasons: ['product_category_name: contains an unpaired UTF-16 surrogate (not Unicode text)'],
    });
    // A personal column's problem never quotes the value.
    expect(parser('customers').parse(['c1', 'u1', '01037', 's\u0000o paulo', 'SP'])).toEqual({ kind: 'invalid', reasons: ['customer_city: contains a NUL character (U+0000)'] });
    // Free text keeps them; a category's name is its key, no free text.
    expect(parser('categories').parse(['cama_mesa_banho', 'bed 🛏️ \u200fמיטה']).kind).toBe('commands');
    expect(parser('reviews').parse(['r1', 'o1', '5', '👍🏽 \u202eótimo', 'chegou 🚚 antes \u200fשלום\u200f', '2017-09-20 00:00:00', '']).kind).toBe('commands');
    expect(unstorableTextProblem('🛏️')).toBeUndefined();
    expect(storableText('a\u0000b\udc00c🛏️\ud800')).toBe('a\ufffdb\ufffdc🛏️\ufffd');
  });
});
