/** The roles of spec §10. `admin` may do everything; each route names the others it admits. */
export const ROLES = ['admin', 'loader', 'analyst', 'auditor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const KNOWN: ReadonlySet<string> = new Set(ROLES);
export const isRole = (text: string): text is Role => KNOWN.has(text);

/** Who made a request: the user of the API key that authenticated it. */
export interface Principal {
  readonly userId: string;
  readonly userName: string;
  readonly role: Role;
  readonly keyId: string;
  readonly keyPrefix: string;
}

/** Whether a principal of `role` may call a route that admits `admitted` (admin always may). */
export const admits = (admitted: ReadonlyArray<Role>, role: Role): boolean => role === 'admin' || admitted.includes(role);
