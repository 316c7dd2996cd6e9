import {
  BRAZIL_BOUNDS, dateRange, daysIn, endsOnOrBefore, geolocationProblems, isInBrazil, formatCentavos, isSourceId, isUf, parseCentavos, parseOlistTimestamp, parseZipPrefix,
  sourceIdProblem,
} from '../src/index.js';

describe('Money in centavos', () => {
  it.each([
    ['58.90', 5890], ['7', 700], ['0.5', 50], ['0.05', 5], ['13.29', 1329], ['-1.10', -110], ['6735.00', 673500],
  ])('parses %s exactly', (text, cents) => expect(parseCentavos(text)).toBe(cents));
  it.each(['', 'abc', '1.234', '1,50', '1e3', '.5'])('refuses %p', (text) => expect(parseCentavos(text)).toBeUndefined());
  it.each(['-0', '-0.00', '0.00'])('reads %p as zero, never the float -0', (text) => expect(Object.is(parseCentavos(text), 0)).toBe(true));
  it.each(['1e309', 'NaN', 'Infinity', '0x1F', '58.90\u200f'])('refuses %p', (text) => expect(parseCentavos(text)).toBeUndefined());
  it('never goes through a float: 0.1 + 0.2 stays exact', () => expect(parseCentavos('0.1')! + parseCentavos('0.2')!).toBe(30));
  it('formats back', () => expect(formatCentavos(5890)).toBe('58.90'));
});

describe('ZipPrefix', () => {
  it('restores a lost leading zero', () => expect(parseZipPrefix('1037')).toBe('01037'));
  it('keeps five digits', () => expect(parseZipPrefix('14409')).toBe('14409'));
  it.each(['', '123456', '12a45', '123456789', '01310-100', '1e309'])('refuses %p', (t) => expect(parseZipPrefix(t)).toBeUndefined());
});

describe('source identifiers', () => {
  it.each(['e481f51cbdc54678b7cc49136f2d6af7', 'cama_mesa_banho', 'o-1', 'late-order'])('takes %p', (id) => expect(isSourceId(id)).toBe(true));
  it.each(['', 'ab cd', 'ordem-ção', 'abc😀', 'abc\u200f', '\u202eabc', 'a\u0000b'])('refuses %p', (id) => expect(isSourceId(id)).toBe(false));
  it('says why', () => {
    expect(sourceIdProblem('abc😀')).toBe('is not an identifier (printable ASCII characters without blanks)');
    expect(sourceIdProblem('k'.repeat(129))).toBe('is 129 characters long, over the 128 an identifier may have');
  });
});

describe('timestamps', () => {
  it.each(['2018-02-30 10:00:00', '2017-02-29 08:30:00', '2018-04-31', '2017-13-01 00:00:00', '2018-06-15 24:00:00', '2018-06-15 23:60:00', '2018-00-10'])(
    'refuses the impossible %p',
    (text) => expect(parseOlistTimestamp(text)).toBeUndefined(),
  );
  it('reads Olist timestamps as UTC', () => expect(parseOlistTimestamp('2017-10-02 10:56:33')).toBe('2017-10-02T10:56:33.000Z'));
  it('refuses impossible dates', () => expect(parseOlistTimestamp('2017-02-30 00:00:00')).toBeUndefined());
  it('refuses garbage', () => expect(parseOlistTimestamp('yesterday')).toBeUndefined());
  it('counts whole calendar days', () => expect(daysIn(dateRange('2017-10-18T00:00:00.000Z', '2017-10-10T21:25:13.000Z'))).toBe(-8));
  it('ends on or before by calendar date, not by the hour', () => {
    expect(endsOnOrBefore(dateRange('2017-10-18T00:00:00.000Z', '2017-10-18T23:59:59.000Z'))).toBe(true);
    expect(endsOnOrBefore(dateRange('2017-10-18T00:00:00.000Z', '2017-10-19T00:00:01.000Z'))).toBe(false);
  });
  it('tells a point on Earth, and whether it is in Brazil', () => {
    expect(geolocationProblems({ lat: -23.55, lng: -46.63 })).toEqual([]);
    expect(geolocationProblems({ lat: 123, lng: -200 })).toEqual(['latitude 123 is not between -90 and 90', 'longitude -200 is not between -180 and 180']);
    expect(isInBrazil({ lat: -23.55, lng: -46.63 })).toBe(true); // São Paulo
    expect(isInBrazil({ lat: 38.72, lng: -9.14 })).toBe(false); // Lisbon: a real Olist geolocation row
    expect(isInBrazil({ lat: BRAZIL_BOUNDS.maxLat, lng: BRAZIL_BOUNDS.minLng })).toBe(true);
  });
});

describe('UF', () => {
  it('knows the 27 units', () => expect(['SP', 'RJ', 'DF', 'TO'].every(isUf)).toBe(true));
  it('refuses others', () => expect(isUf('XX')).toBe(false));
});
