/** The longest identifier a source row may hold: Olist's are 32 characters, and ids name event streams and data keys. */
export const MAX_SOURCE_ID_LENGTH = 128;

const SOURCE_ID = /^[\x21-\x7e]+$/;

/**
 * Why a text is not an identifier of Olist's files (order, customer, product, seller and review ids, category names),
 * if it is not: Olist's are 32 hexadecimal digits or snake_case names; any printable ASCII without blanks, up to
 * {@link MAX_SOURCE_ID_LENGTH} characters, is taken. A letter beyond ASCII, an emoji, a control or direction mark is a
 * typo or a corruption in a key, never part of one.
 */
export function sourceIdProblem(id: string): string | undefined {
  if (id.length > MAX_SOURCE_ID_LENGTH) return `is ${id.length} characters long, over the ${MAX_SOURCE_ID_LENGTH} an identifier may have`;
  return SOURCE_ID.test(id) ? undefined : 'is not an identifier (printable ASCII characters without blanks)';
}

export const isSourceId = (id: string): boolean => id !== '' && sourceIdProblem(id) === undefined;
