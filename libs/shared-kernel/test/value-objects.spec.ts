import { BRAZIL_BOUNDS, dateRange, daysIn, endsOnOrBefore, geolocationProblems, isInBrazil, formatCentavos, isUf, parseCentavos, parseOlistTimestamp, parseZipPrefix } from '../src/index.js';

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
