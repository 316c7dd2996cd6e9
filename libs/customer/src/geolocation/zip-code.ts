import { accepted, streamId, type Decider, undated } from '@olist/shared-kernel';
import type { ZipCodeLocated, ZipCodeLocation } from '../events.js';

export interface LocateZipCode extends ZipCodeLocation {
  readonly type: 'LocateZipCode';
}
/** The distinct locations recorded for a zip prefix (Olist lists many points per prefix). */
export interface ZipCodeState {
  readonly locations: ReadonlySet<string>;
}

export const zipCodeStreamId = (zipPrefix: string): string => streamId('zip', zipPrefix);

export const locationKey = (l: ZipCodeLocation): string => `${l.lat}|${l.lng}|${l.city}|${l.state}`;

export const zipCodeDecider: Decider<LocateZipCode, ZipCodeState, ZipCodeLocated> = {
  initialState: () => ({ locations: new Set() }),
  decide: ({ type: _type, ...location }, state) =>
    state.locations.has(locationKey(location)) ? accepted() : accepted({ type: 'ZipCodeLocated', data: location }),
  evolve: (state, event) => ({ locations: new Set(state.locations).add(locationKey(event.data)) }),
  occurredAt: undated,
};
