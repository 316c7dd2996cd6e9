#!/usr/bin/env node
// The `olist-dw` command: builds dist/ first when a source file is newer than the last build (as the npm
// scripts do), then runs tools/olist-dw.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'tools', 'olist-dw.js');

const newestSource = () => {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of ['apps', 'libs', 'tools']) walk(join(root, dir));
  return newest;
};

if (!existsSync(entry) || statSync(entry).mtimeMs < newestSource()) {
  process.stderr.write('olist-dw: building (npm run build) …\n');
  execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}
const { olistDwProgram } = await import(entry);
await olistDwProgram().parseAsync(process.argv);
