import type { CredentialPlan } from './credentials.ts';

interface Entry {
  plan: CredentialPlan;
  /** When the plan was worked out; it holds from then until `plan.changesAt`. */
  from: number;
}

/** Entries kept at most; past that the cache starts over (it only saves work). */
const MAX_ENTRIES = 10_000;

/**
 * Each instant key's credential plan (the view and its ETag, ticket bytes aside), kept between
 * requests so that refreshes skip the queries and the hashing. A plan changes only with an
 * admin write (every admin request clears the cache, see `adminRoute`) or with time, when a
 * grant starts or ends: an entry serves only from when it was made until that next boundary.
 */
export class PlanCache {
  private readonly entries = new Map<string, Entry>();

  /** The cached plan of key `instantKeyId` if it still holds at `now`. */
  get(instantKeyId: string, now: number): CredentialPlan | undefined {
    const entry = this.entries.get(instantKeyId);
    return entry && entry.from <= now && now < entry.plan.changesAt ? entry.plan : undefined;
  }

  /** Keeps `plan`, worked out at `now`. */
  set(instantKeyId: string, now: number, plan: CredentialPlan): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(instantKeyId, { plan, from: now });
  }

  /** Forgets every plan: the store changed. */
  clear(): void {
    this.entries.clear();
  }
}
