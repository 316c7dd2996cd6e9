import type { Principal } from '../domain/roles.js';
import type { PrincipalLookup } from '../http/api-key.guard.js';
import type { IdentityStore } from './identity-store.js';

/**
 * Key look-ups cached for `ttlMs` (by the key's hash, in memory): a batch-posting loader does not query the
 * database per request; a revoked or expired key, or a disabled user, stops working within `ttlMs`.
 */
export class CachedPrincipals implements PrincipalLookup {
  private readonly cache = new Map<string, { principal: Principal | undefined; until: number }>();

  constructor(
    private readonly identities: Pick<IdentityStore, 'principalOf'>,
    private readonly ttlMs = 2_000,
    private readonly maxEntries = 10_000,
  ) {}

  async principalOf(key: string): Promise<Principal | undefined> {
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.principal;
    const principal = await this.identities.principalOf(key);
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    this.cache.set(key, { principal, until: now + this.ttlMs });
    return principal;
  }

  /** Forgets every cached look-up (after a revocation or a disabled user in this process). */
  clear(): void {
    this.cache.clear();
  }
}
