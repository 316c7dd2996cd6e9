/** Money in integer centavos (BRL). Never a float. */
export type Centavos = number;

const DECIMAL = /^(-)?(\d+)(?:\.(\d{1,2}))?$/;

/**
 * Parses a decimal BRL amount ("58.90", "7", "0.5") to integer centavos without going through a float.
 * Returns undefined when the text is not a plain decimal with at most two fraction digits.
 */
export const parseCentavos = (text: string): Centavos | undefined => {
  const m = DECIMAL.exec(text.trim());
  if (!m) return undefined;
  const [, sign, units, fraction = ''] = m;
  const cents = Number(units) * 100 + Number(fraction.padEnd(2, '0'));
  if (!Number.isSafeInteger(cents)) return undefined;
  // "-0" and "-0.00" are zero (some exports write a free shipping so), not the float -0.
  return sign && cents !== 0 ? -cents : cents;
};

/** Formats centavos as a decimal string with two digits ("58.90"). */
export const formatCentavos = (cents: Centavos): string => {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
};
