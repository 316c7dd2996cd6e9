import { accepted, streamId, type Decider, undated } from '@olist/shared-kernel';
import type { ZipCodeLocated, ZipCodeLocation, ZipCodePoint } from '../events.js';

/** One geolocation row: a point of a zip prefix. */
export interface LocateZipCode extends ZipCodeLocation {
  readonly type: 'LocateZipCode';
}
/**
 * The distinct points of a prefix as an immutable value that evolves in time proportional to the points added:
 * states of one history share one table of each point's version (the count of points before it), a state
 * sees the points below its count. Evolving a state that is not the latest of its table copies what it sees.
 * (A copied set per accepted point made a prefix's rows quadratic: a real prefix lists up to thousands of points.)
 */
export class PointSet {
  private constructor(
    private readonly versions: Map<string, number>,
    readonly size: number,
  ) {}

  static readonly empty = (): PointSet => new PointSet(new Map(), 0);

  has(key: string): boolean {
    const v = this.versions.get(key);
    return v !== undefined && v < this.size;
  }

  with(keys: Iterable<string>): PointSet {
    const versions = this.versions.size === this.size ? this.versions : new Map([...this.versions].filter(([, v]) => v < this.size));
    let size = this.size;
    for (const key of keys) if (!(versions.get(key)! < size)) versions.set(key, size++);
    return new PointSet(versions, size);
  }
}

/** The distinct points recorded for a zip prefix (Olist lists many points per prefix). */
export interface ZipCodeState {
  readonly locations: PointSet;
}

export const zipCodeStreamId = (zipPrefix: string): string => streamId('zip', zipPrefix);

export const locationKey = (l: ZipCodePoint): string => `${l.lat}|${l.lng}|${l.city}|${l.state}`;

/**
 * A prefix's points are reference data without business time or order: the new points of one batch are recorded
 * as one event (`coalesce`), each row's line in the event's provenance.
 */
export const zipCodeDecider: Decider<LocateZipCode, ZipCodeState, ZipCodeLocated> = {
  initialState: () => ({ locations: PointSet.empty() }),
  decide: ({ zipPrefix, lat, lng, city, state: uf }, state) => {
    const point: ZipCodePoint = { lat, lng, city, state: uf };
    return state.locations.has(locationKey(point)) ? accepted() : accepted({ type: 'ZipCodeLocated', data: { zipPrefix, locations: [point] } });
  },
  evolve: (state, event) => ({ locations: state.locations.with(event.data.locations.map(locationKey)) }),
  occurredAt: undated,
  coalesce: (earlier, later) =>
    earlier.data.zipPrefix === later.data.zipPrefix
      ? { type: 'ZipCodeLocated', data: { zipPrefix: earlier.data.zipPrefix, locations: [...earlier.data.locations, ...later.data.locations] } }
      : undefined,
};
