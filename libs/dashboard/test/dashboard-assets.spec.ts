import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DashboardAssets } from '@olist/dashboard';

const PUBLIC = fileURLToPath(new URL('../public', import.meta.url));

describe('dashboard files', () => {
  const assets = DashboardAssets.load();

  it('serves every file of public/ and the ECharts bundle of the npm package, each with its content type', () => {
    expect(assets.names()).toEqual([...readdirSync(PUBLIC), 'echarts.min.js'].sort());
    expect(assets.get('index.html')!.contentType).toBe('text/html; charset=utf-8');
    expect(assets.get('main.js')!.contentType).toBe('text/javascript; charset=utf-8');
    expect(assets.get('echarts.min.js')!.body.toString('utf8')).toMatch(/\.version="\d+\.\d+\.\d+"/);
  });

  it('serves nothing else: no path outside public/', () => {
    for (const name of ['../src/index.ts', '..%2Fsrc%2Findex.ts', '/etc/passwd', 'package.json', 'echarts.js', '']) expect(assets.get(name)).toBeUndefined();
  });

  it('has no inline script or event handler, which the Content-Security-Policy would refuse', () => {
    const html = assets.get('index.html')!.body.toString('utf8');
    expect(html.match(/<script(?![^>]*\ssrc=)[^>]*>/g)).toBeNull();
    expect(html.match(/\son[a-z]+\s*=/gi)).toBeNull();
    expect(html.match(/(src|href)="(?!\/dashboard\/|#)[^"]*"/g)).toBeNull();
  });
});
