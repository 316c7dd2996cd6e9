import { isFactTable, LineageKeyError, type FactTable, type LineageReader } from '@olist/analytics';
import { eventView } from '@olist/audit';
import type { EventStore } from '@olist/event-store';
import { EVENT_STORE, PathParam } from '@olist/infrastructure';
import { MART_NAME } from '../api/mart-query.pipe.js';
import { Roles } from '@olist/security';
import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LINEAGE } from '../tokens.js';
import { FACT_EVENTS } from './fact-events.js';
import { lineageQuery } from './lineage-query.js';

const factTable = (name: string): FactTable => {
  if (!isFactTable(name)) throw new LineageKeyError(`${name}: not a fact table (core.fact_orders, core.fact_order_items, core.fact_payments, core.fact_reviews, core.fact_deliveries)`, { parameter: 'table' });
  return name;
};
const TABLE = new PathParam('table', /^core\.fact_[a-z_]{1,40}$/, 'a fact table (core.fact_order_items, …)');
const factLink = (table: string, row: Record<string, string>) => `/v1/audit/lineage/facts/${table}?${new URLSearchParams(row)}`;

/**
 * Lineage (spec §11): a mart row → the fact rows aggregated into it (paged) → each fact row's events (ids,
 * streams, positions) → their provenance: source file and line, and the values the row carried.
 */
@ApiTags('audit')
@ApiBearerAuth()
@Roles('auditor')
@Controller('v1/audit/lineage')
export class LineageController {
  constructor(
    @Inject(LINEAGE) private readonly lineage: LineageReader,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get('marts/:name')
  @ApiOperation({ summary: 'The fact rows aggregated into one mart row (given by its key columns, e.g. ?month=2017-11-01), paged, each with its lineage link' })
  async mart(@Param('name', MART_NAME) name: string, @Query() query: Record<string, unknown>) {
    const { key, limit, offset } = lineageQuery(query);
    const page = await this.lineage.martFacts(name, key, { limit, offset });
    return { ...page, facts: page.facts.map((f) => ({ ...f, rows: f.rows.map((row) => ({ ...row, lineage: factLink(f.table, row) })) })) };
  }

  @Get('facts/:table')
  @ApiOperation({ summary: 'A fact row (by its natural key) and the events that produced it, with their source file, line and values' })
  async fact(@Param('table', TABLE) table: string, @Query() query: Record<string, unknown>) {
    const fact = factTable(table);
    const { key } = lineageQuery(query);
    const row = await this.lineage.factRow(fact, key);
    const rule = FACT_EVENTS[fact];
    const events = [];
    for (const stream of rule.streams(key)) {
      for (const e of await this.store.readStream(stream)) if (rule.about(e, key)) events.push(e);
    }
    return {
      table, key, row,
      events: events.map((e) => {
        const view = eventView(e);
        const provenance = view.provenance as { file?: string; line?: number; rowHash?: string } | null;
        return { ...view, source: provenance ? { file: provenance.file ?? null, line: provenance.line ?? null, values: e.data } : null };
      }),
    };
  }
}

/** Lineage's DuckDB side in the projector process (PROJECTOR=external), for the API's LineageController. */
@ApiTags('internal')
@Roles('auditor')
@Controller('internal/v1/lineage')
export class InternalLineageController {
  constructor(@Inject(LINEAGE) private readonly lineage: LineageReader) {}

  @Get('marts/:name')
  mart(@Param('name', MART_NAME) name: string, @Query() query: Record<string, unknown>) {
    const { key, limit, offset } = lineageQuery(query);
    return this.lineage.martFacts(name, key, { limit, offset });
  }

  @Get('facts/:table')
  fact(@Param('table', TABLE) table: string, @Query() query: Record<string, unknown>) {
    return this.lineage.factRow(factTable(table), lineageQuery(query).key);
  }
}
