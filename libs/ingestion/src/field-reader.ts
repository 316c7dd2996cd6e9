import {
  isUf, latitudeProblem, longitudeProblem, parseCentavos, parseOlistTimestamp, parseZipPrefix, sourceIdProblem, storableText, unstorableTextProblem,
  type Centavos, type Geolocation, type Uf, type ZipPrefix,
} from '@olist/shared-kernel';

/** A number as the files write them: decimal, an exponent allowed (not hexadecimal, "Infinity" or "NaN", which `Number` takes). */
const DECIMAL_NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
/** Characters a reason shows escaped: controls and invisible format marks (direction marks, zero-width joiners). */
const INVISIBLE = /[\p{Cc}\p{Cf}]/gu;

/** -0 read as 0: "-0" is a way of writing zero, and -0 is no value of the files. */
const zeroed = (n: number): number => (n === 0 ? 0 : n);

/**
 * Reads typed values out of one raw CSV row, collecting a reason for every field that cannot be read
 * (a row is rejected with all its problems, not just the first; one reason per field, the first found).
 */
export class FieldReader {
  readonly reasons: string[] = [];

  constructor(
    private readonly index: ReadonlyMap<string, number>,
    private readonly values: ReadonlyArray<string>,
    /** Columns holding personal data: their values never go into a reason (reasons are logged, counted and kept in the clear). */
    private readonly personal: ReadonlySet<string> = new Set(),
  ) {}

  raw(column: string): string {
    const i = this.index.get(column);
    const v = i === undefined ? '' : (this.values[i] ?? '');
    const problem = unstorableTextProblem(v);
    if (problem === undefined) return v;
    this.fail(column, problem);
    return storableText(v);
  }

  /** The value as a reason quotes it (invisible characters escaped), unless it is personal data. */
  private quoted(column: string, v: string): string {
    if (this.personal.has(column)) return 'the value (withheld: personal data)';
    return `"${v.replace(INVISIBLE, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`)}"`;
  }

  /** Records why a column cannot be read, unless it has a reason already (a column read by two of the row's commands, or a value already found unreadable). */
  fail(column: string, problem: string): undefined {
    const prefix = `${column}: `;
    if (!this.reasons.some((r) => r.startsWith(prefix))) this.reasons.push(prefix + problem);
    return undefined;
  }

  text(column: string): string {
    const v = this.raw(column).trim();
    if (v === '') this.fail(column, 'is empty');
    return v;
  }

  optionalText(column: string): string | null {
    const v = this.raw(column);
    return v.trim() === '' ? null : v;
  }

  /** An id, or a category's name: see `sourceIdProblem`. */
  identifier(column: string): string {
    const v = this.text(column);
    return v === '' ? v : this.checkedId(column, v);
  }

  optionalIdentifier(column: string): string | null {
    const v = this.raw(column).trim();
    return v === '' ? null : this.checkedId(column, v);
  }

  private checkedId(column: string, v: string): string {
    const problem = sourceIdProblem(v);
    if (problem !== undefined) this.fail(column, problem.startsWith('is not') ? `${this.quoted(column, v)} ${problem}` : problem);
    return v;
  }

  timestamp(column: string): string {
    const v = this.raw(column).trim();
    if (v === '') return this.fail(column, 'is empty') ?? '';
    return parseOlistTimestamp(v) ?? this.fail(column, `${this.quoted(column, v)} is not a timestamp (YYYY-MM-DD HH:MM:SS)`) ?? '';
  }

  optionalTimestamp(column: string): string | null {
    const v = this.raw(column).trim();
    if (v === '') return null;
    return parseOlistTimestamp(v) ?? this.fail(column, `${this.quoted(column, v)} is not a timestamp (YYYY-MM-DD HH:MM:SS)`) ?? null;
  }

  integer(column: string): number {
    const v = this.raw(column).trim();
    if (/^-?\d+$/.test(v) && Number.isSafeInteger(Number(v))) return zeroed(Number(v));
    return this.fail(column, v === '' ? 'is empty' : `${this.quoted(column, v)} is not an integer`) ?? 0;
  }

  /** Olist writes some counts as "1.0" or leaves them empty. */
  optionalNumber(column: string): number | null {
    const v = this.raw(column).trim();
    if (v === '') return null;
    const n = DECIMAL_NUMBER.test(v) ? Number(v) : NaN;
    return Number.isFinite(n) ? zeroed(n) : (this.fail(column, `${this.quoted(column, v)} is not a number`) ?? null);
  }

  number(column: string): number {
    const v = this.raw(column).trim();
    const n = DECIMAL_NUMBER.test(v) ? Number(v) : NaN;
    if (Number.isFinite(n)) return zeroed(n);
    return this.fail(column, v === '' ? 'is empty' : `${this.quoted(column, v)} is not a number`) ?? 0;
  }

  /** A point on Earth from two columns (outside Brazil is valid: a quality finding, not a rejection). */
  geolocation(latColumn: string, lngColumn: string): Geolocation {
    const [lat, lng] = [this.number(latColumn), this.number(lngColumn)];
    const [latProblem, lngProblem] = [latitudeProblem(lat), longitudeProblem(lng)];
    if (latProblem) this.fail(latColumn, latProblem);
    if (lngProblem) this.fail(lngColumn, lngProblem);
    return { lat, lng };
  }

  centavos(column: string): Centavos {
    const v = this.raw(column).trim();
    return parseCentavos(v) ?? this.fail(column, v === '' ? 'is empty' : `${this.quoted(column, v)} is not an amount (e.g. 58.90)`) ?? 0;
  }

  zipPrefix(column: string): ZipPrefix {
    const v = this.raw(column).trim();
    return parseZipPrefix(v) ?? this.fail(column, v === '' ? 'is empty' : `${this.quoted(column, v)} is not a 5-digit zip prefix`) ?? '';
  }

  uf(column: string): Uf {
    const v = this.raw(column).trim().toUpperCase();
    if (isUf(v)) return v;
    return (this.fail(column, v === '' ? 'is empty' : `${this.quoted(column, v)} is not a Brazilian state (UF)`) ?? 'SP') as Uf;
  }

  oneOf<T extends string>(column: string, allowed: ReadonlyArray<T>): T {
    const v = this.raw(column).trim();
    if ((allowed as ReadonlyArray<string>).includes(v)) return v as T;
    return (this.fail(column, `${this.quoted(column, v)} is not one of ${allowed.join(', ')}`) ?? allowed[0]) as T;
  }
}
