import type { Settings } from '@olist/config';
import { Controller, DefaultValuePipe, Get, Inject, Module, ParseIntPipe, Query, Res, type DynamicModule } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ProjectorUnreachableError } from '../http/projections-errors.js';
import { fetchProjector } from './projector-client.js';
import { Roles } from '@olist/security';

const PROJECTOR_URL = Symbol('PROJECTOR_URL');

interface StatusResponse {
  status(code: number): unknown;
  setHeader(name: string, value: string): unknown;
}

/**
 * With PROJECTOR=external the projection status lives in the projector process: the API answers
 * `GET /v1/projections/status` by asking it, so operators have the same endpoint in both modes.
 */
@ApiTags('operations')
@Roles('loader', 'analyst', 'auditor', 'viewer')
@Controller('v1/projections')
class RemoteProjectionsController {
  constructor(@Inject(PROJECTOR_URL) private readonly projectorUrl: string) {}

  @Get('status')
  @ApiOperation({ summary: 'Projection status (from the projector process); with waitMs, first waits (up to waitMs) until everything committed so far is projected' })
  @ApiQuery({ name: 'waitMs', required: false, type: Number })
  async status(@Query('waitMs', new DefaultValuePipe(0), ParseIntPipe) waitMs: number, @Res({ passthrough: true }) response: StatusResponse) {
    const wait = Math.min(Math.max(waitMs, 0), 600_000);
    const answer = await fetchProjector(this.projectorUrl, `/v1/projections/status?waitMs=${wait}`, { timeoutMs: wait + 30_000 }, (message) => new ProjectorUnreachableError(message));
    // The projector's answer as is, errors included: they have the same body.
    response.status(answer.status);
    const retryAfter = answer.headers.get('retry-after');
    if (retryAfter) response.setHeader('Retry-After', retryAfter);
    return answer.json();
  }
}

@Module({})
export class RemoteProjectionsModule {
  static register(settings: Settings): DynamicModule {
    return {
      module: RemoteProjectionsModule,
      providers: [{ provide: PROJECTOR_URL, useValue: settings.projectorUrl }],
      controllers: [RemoteProjectionsController],
    };
  }
}
