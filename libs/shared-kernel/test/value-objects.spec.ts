import { daysBetween, formatCentavos, isUf, parseCentavos, parseOlistTimestamp, parseZipPrefix } from '../src/index.js';

describe('Money in centavos', () => {
  it.each([
    ['58.90', 5890], ['7', 700], ['0.5', 50], ['0.05', 5], ['13.29', 1329], ['-1.10', -110], ['6735.00', 673500],
  ])('parses %s exactly', (text, cents) => expect(parseCentavos(text)).toBe(cents));
  it.each(['', 'abc', '1.234', '1,50', '1e3', '.5'])('refuses %p', (text) => expect(parseCentavos(text)).toBeUndefined());
  it('never goes through a float: 0.1 + 0.2 stays exact', () => expect(parseCentavos('0.1')! + parseCentavos('0.2')!).toBe(30));
  it('formats back', () => expect(formatCentavos(5890)).toBe('58.90'));
});

describe('ZipPrefix', () => {
  it('restores a lost leading zero', () => expect(parseZipPrefix('1037')).toBe('01037'));
  it('keeps five digits', () => expect(parseZipPrefix('14409')).toBe('14409'));
  it.each(['', '123456', '12a45'])('refuses %p', (t) => expect(parseZipPrefix(t)).toBeUndefined());
});

describe('timestamps', () => {
  it('reads Olist timestamps as UTC', () => expect(parseOlistTimestamp('2017-10-02 10:56:33')).toBe('2017-10-02T10:56:33.000Z'));
  it('refuses impossible dates', () => expect(parseOlistTimestamp('2017-02-30 00:00:00')).toBeUndefined());
  it('refuses garbage', () => expect(parseOlistTimestamp('yesterday')).toBeUndefined());
  it('counts whole calendar days', () => expect(daysBetween('2017-10-18T00:00:00.000Z', '2017-10-10T21:25:13.000Z')).toBe(-8));
});

describe('UF', () => {
  it('knows the 27 units', () => expect(['SP', 'RJ', 'DF', 'TO'].every(isUf)).toBe(true));
  it('refuses others', () => expect(isUf('XX')).toBe(false));
});
