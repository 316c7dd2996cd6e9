import type { ZipPrefix } from './zip-prefix.js';

/** The 27 federative units of Brazil. */
export const BRAZILIAN_UFS = [
  'AC', 'AL', 'AP', 'AM', 'BA', 'CE', 'DF', 'ES', 'GO', 'MA', 'MT', 'MS', 'MG', 'PA',
  'PB', 'PR', 'PE', 'PI', 'RJ', 'RN', 'RS', 'RO', 'RR', 'SC', 'SP', 'SE', 'TO',
] as const;
export type Uf = (typeof BRAZILIAN_UFS)[number];

const UFS: ReadonlySet<string> = new Set(BRAZILIAN_UFS);
export const isUf = (text: string): text is Uf => UFS.has(text);

/** A Brazilian address as Olist records it (no street): zip prefix, city and one of the 27 UFs. */
export interface Address {
  readonly zipPrefix: ZipPrefix;
  readonly city: string;
  readonly state: Uf;
}
