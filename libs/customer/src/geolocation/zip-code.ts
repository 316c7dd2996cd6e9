import { accepted, streamId, type Decider, undated } from '@olist/shared-kernel';
import type { ZipCodeLocated, ZipCodeLocation, ZipCodePoint } from '../events.js';

/** One geolocation row: a point of a zip prefix. */
export interface LocateZipCode extends ZipCodeLocation {
  readonly type: 'LocateZipCode';
}
/** The distinct points recorded for a zip prefix (Olist lists many points per prefix). */
export interface ZipCodeState {
  readonly locations: ReadonlySet<string>;
}

export const zipCodeStreamId = (zipPrefix: string): string => streamId('zip', zipPrefix);

export const locationKey = (l: ZipCodePoint): string => `${l.lat}|${l.lng}|${l.city}|${l.state}`;

/**
 * A prefix's points are reference data without business time or order: the new points of one batch are recorded
 * as one event (`coalesce`), each row's line in the event's provenance.
 */
export const zipCodeDecider: Decider<LocateZipCode, ZipCodeState, ZipCodeLocated> = {
  initialState: () => ({ locations: new Set() }),
  decide: ({ zipPrefix, lat, lng, city, state: uf }, state) => {
    const point: ZipCodePoint = { lat, lng, city, state: uf };
    return state.locations.has(locationKey(point)) ? accepted() : accepted({ type: 'ZipCodeLocated', data: { zipPrefix, locations: [point] } });
  },
  evolve: (state, event) => {
    const locations = new Set(state.locations);
    for (const point of event.data.locations) locations.add(locationKey(point));
    return { locations };
  },
  occurredAt: undated,
  coalesce: (earlier, later) =>
    earlier.data.zipPrefix === later.data.zipPrefix
      ? { type: 'ZipCodeLocated', data: { zipPrefix: earlier.data.zipPrefix, locations: [...earlier.data.locations, ...later.data.locations] } }
      : undefined,
};
