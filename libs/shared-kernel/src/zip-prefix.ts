/** A Brazilian CEP prefix: five digits, as a string. Restores leading zeros lost by spreadsheet tools. */
export type ZipPrefix = string;

export const parseZipPrefix = (text: string): ZipPrefix | undefined => {
  const t = text.trim();
  if (!/^\d{1,5}$/.test(t)) return undefined;
  return t.padStart(5, '0');
};
