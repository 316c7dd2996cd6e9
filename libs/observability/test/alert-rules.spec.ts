import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { OlistMetrics } from '@olist/observability';

const DEPLOY = resolve('deploy/prometheus');
const rules = readFileSync(join(DEPLOY, 'alerts.yml'), 'utf8');

/** promtool from PROMTOOL or the PATH (.ci/run unpacks Debian's prometheus package for it). */
const promtool = ((): string | undefined => {
  const candidate = process.env.PROMTOOL || 'promtool';
  return spawnSync(candidate, ['--version'], { stdio: 'ignore' }).status === 0 ? candidate : undefined;
})();

describe('the Prometheus alert rules (deploy/prometheus/alerts.yml)', () => {
  it('alert on metrics this code exposes, by their exposed names', async () => {
    const exposed = new Set((await new OlistMetrics().registry.getMetricsAsJSON()).map((m) => m.name));
    const referenced = new Set([...rules.matchAll(/\bolistdw_[a-z0-9_]+/g)].map(([name]) => name.replace(/_(bucket|count|sum)$/, '')));
    expect(referenced.size).toBeGreaterThanOrEqual(8);
    expect([...referenced].filter((name) => !exposed.has(name))).toEqual([]);
  });

  it('cover the seeds\' alerts: run failed, quality below 95 and 80, projection lag, slow mart reads, DuckDB size, pool saturation', () => {
    const alerts = [...rules.matchAll(/- alert: (\S+)/g)].map(([, name]) => name);
    expect(alerts).toEqual(expect.arrayContaining([
      'OlistDwPipelineRunFailed', 'OlistDwQualityDegraded', 'OlistDwQualityCritical', 'OlistDwProjectionLagging',
      'OlistDwSlowMartReads', 'OlistDwDuckDbFileLarge', 'OlistDwConnectionPoolSaturated',
    ]));
    expect(rules).toMatch(/quality_score < 95/);
    expect(rules).toMatch(/quality_score < 80/);
  });

  (promtool ? describe : describe.skip)('checked by promtool', () => {
    it('are valid rules, and each fires on the series of alerts.test.yml (promtool test rules)', () => {
      execFileSync(promtool!, ['check', 'rules', join(DEPLOY, 'alerts.yml')], { stdio: 'pipe' });
      const test = spawnSync(promtool!, ['test', 'rules', 'alerts.test.yml'], { cwd: DEPLOY, encoding: 'utf8' });
      expect([test.status, test.stdout + test.stderr]).toEqual([0, expect.stringContaining('SUCCESS')]);
    });

    it('the example scrape configuration is valid (with a key file where it names one)', () => {
      const dir = mkdtempSync(join(tmpdir(), 'olist-prometheus-'));
      try {
        writeFileSync(join(dir, 'olist-dw.key'), 'odw_example\n', { mode: 0o600 });
        copyFileSync(join(DEPLOY, 'alerts.yml'), join(dir, 'alerts.yml'));
        const config = readFileSync(join(DEPLOY, 'prometheus.yml'), 'utf8').replaceAll('/etc/prometheus/olist-dw.key', join(dir, 'olist-dw.key'));
        writeFileSync(join(dir, 'prometheus.yml'), config);
        const check = spawnSync(promtool!, ['check', 'config', join(dir, 'prometheus.yml')], { encoding: 'utf8' });
        expect([check.status, check.stdout + check.stderr]).toEqual([0, expect.stringContaining('SUCCESS')]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  if (!promtool) {
    it.skip('promtool checks: no promtool here (set PROMTOOL, or unpack Debian\'s prometheus package as .ci/run does)', () => undefined);
  }
});
