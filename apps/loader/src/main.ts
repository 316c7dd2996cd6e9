#!/usr/bin/env node
import { runCli } from '@olist/loader';

// First Ctrl-C: stop posting, print what was done (exit 130); second: leave at once.
const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort(new Error('interrupted (SIGINT)'));
});
process.on('SIGTERM', () => controller.abort(new Error('terminated (SIGTERM)')));

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
});
