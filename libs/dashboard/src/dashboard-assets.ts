import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DashboardAsset {
  readonly body: Buffer;
  readonly contentType: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** ECharts' browser bundle, served from the npm package as it is (no CDN, no copy in the repository). */
export const ECHARTS_ASSET = 'echarts.min.js';

/**
 * `libs/dashboard/public` in the nearest ancestor of this module: the same from `libs/…/src` and from `dist/…`. The
 * build leaves a `dist/libs/dashboard/public` of compiled scripts only, which has no index.html: passed over.
 */
const publicDirectory = (): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'libs', 'dashboard', 'public');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no libs/dashboard/public directory above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
};

/**
 * The page's files, read once at start-up: the flat `public/` directory and ECharts' bundle. Only these names
 * are served, so a request cannot reach any other file.
 */
export class DashboardAssets {
  private constructor(private readonly assets: ReadonlyMap<string, DashboardAsset>) {}

  static load(directory = publicDirectory()): DashboardAssets {
    const assets = new Map<string, DashboardAsset>();
    for (const name of readdirSync(directory)) {
      const contentType = CONTENT_TYPES[extname(name)];
      if (contentType && statSync(join(directory, name)).isFile()) assets.set(name, { body: readFileSync(join(directory, name)), contentType });
    }
    const echarts = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');
    assets.set(ECHARTS_ASSET, { body: readFileSync(echarts), contentType: CONTENT_TYPES['.js']! });
    if (!assets.has('index.html')) throw new Error(`${directory} has no index.html`);
    return new DashboardAssets(assets);
  }

  get(name: string): DashboardAsset | undefined {
    return this.assets.get(name);
  }

  names(): string[] {
    return [...this.assets.keys()].sort();
  }
}
