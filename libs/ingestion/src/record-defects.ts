import type { RecordDefect } from './wire.js';

/**
 * The largest value a source row may hold, in UTF-8 bytes. Olist's longest values (review comments) are a few hundred
 * bytes; a larger one is a corruption, and would take a whole batch's body. The loader cuts such a value before
 * posting it (saying how large it was); the API rejects the row either way.
 */
export const MAX_VALUE_BYTES = 64 * 1024;

/** What is left of a value over {@link MAX_VALUE_BYTES} when it is posted, and kept with its rejected row. */
export const CUT_VALUE_CHARACTERS = 256;

export const tooLargeProblem = (bytes: number): string =>
  `is ${bytes.toLocaleString('en-US')} bytes long, over the limit of ${MAX_VALUE_BYTES.toLocaleString('en-US')}`;

/** Why a value the loader could not read as it stands makes its row invalid (the reason, after the column's name). */
export const defectProblem = (defect: RecordDefect): string => {
  switch (defect.kind) {
    case 'unclosed-quote':
      return 'its opening quote is never closed on the line, so the line cannot be split into values';
    case 'not-utf8':
      return 'is not valid UTF-8 (the bytes that are not read as U+FFFD)';
    case 'too-large':
      return tooLargeProblem(defect.bytes);
  }
};

/** The UTF-8 size of a value over {@link MAX_VALUE_BYTES}; undefined for any other (counted only when a UTF-16 unit's 3 bytes at most could pass the limit). */
export const oversizeBytes = (value: string): number | undefined => {
  if (value.length * 3 <= MAX_VALUE_BYTES) return undefined;
  const bytes = Buffer.byteLength(value, 'utf8');
  return bytes > MAX_VALUE_BYTES ? bytes : undefined;
};
