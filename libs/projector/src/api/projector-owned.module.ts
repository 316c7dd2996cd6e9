import type { Settings } from '@olist/config';
import type { DynamicModule, Provider, Type } from '@nestjs/common';
import { ProjectorModule } from '../projector.module.js';

/**
 * A module whose answers come from the process that owns the DuckDB file: this one when the projector runs
 * in-process (the ProjectorModule's provider of `token`), else the projector process over HTTP (`remote`).
 */
export const projectorOwned = (
  module: Type,
  settings: Settings,
  tokens: symbol | ReadonlyArray<symbol>,
  remote: (projectorUrl: string) => unknown,
  controllers: Type[],
): DynamicModule => {
  const inProcess = settings.projector === 'in-process';
  const [first, ...others] = typeof tokens === 'symbol' ? [tokens] : tokens;
  const providers: Provider[] = inProcess
    ? []
    : [{ provide: first!, useFactory: () => remote(settings.projectorUrl) }, ...others.map((token) => ({ provide: token, useExisting: first! }))];
  return { module, imports: inProcess ? [ProjectorModule] : [], providers, controllers };
};
