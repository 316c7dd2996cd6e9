/** A point in decimal degrees (WGS 84). */
export interface Geolocation {
  readonly lat: number;
  readonly lng: number;
}

/** Brazil's bounding box (mainland and the near islands), in degrees. */
export const BRAZIL_BOUNDS = { minLat: -33.75, maxLat: 5.27, minLng: -73.99, maxLng: -34.79 } as const;

export const latitudeProblem = (lat: number): string | undefined =>
  Number.isFinite(lat) && lat >= -90 && lat <= 90 ? undefined : `latitude ${lat} is not between -90 and 90`;
export const longitudeProblem = (lng: number): string | undefined =>
  Number.isFinite(lng) && lng >= -180 && lng <= 180 ? undefined : `longitude ${lng} is not between -180 and 180`;

/** Why a pair of numbers is not a point on Earth (empty when it is). */
export const geolocationProblems = ({ lat, lng }: Geolocation): string[] =>
  [latitudeProblem(lat), longitudeProblem(lng)].filter((p): p is string => p !== undefined);

/**
 * Within Brazil's bounding box. Olist's geolocation file has a few points outside it (typos, points abroad):
 * valid points, reported by the quality checks, not rejected.
 */
export const isInBrazil = ({ lat, lng }: Geolocation): boolean =>
  lat >= BRAZIL_BOUNDS.minLat && lat <= BRAZIL_BOUNDS.maxLat && lng >= BRAZIL_BOUNDS.minLng && lng <= BRAZIL_BOUNDS.maxLng;
