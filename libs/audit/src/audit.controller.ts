import type { Checkpoint, EventStore, RecordedEvent } from '@olist/event-store';
import { UpcastingEventStore } from '@olist/event-store';
import { EVENT_STORE, PathParam, PERSONAL_DATA } from '@olist/infrastructure';
import { Roles } from '@olist/security';
import { ApplicationError } from '@olist/shared-kernel';
import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { aggregateOf, foldAggregate } from './aggregates.js';
import { AggregateQueryDto, EventsQueryDto, StreamQueryDto } from './audit.dto.js';
import { eventView, type EventView } from './event-view.js';
import { REJECTED_ROW_EVENT, type PersonalDataProtection } from '@olist/personal-data';

export class UnknownStreamError extends ApplicationError {
  readonly code = 'AUDIT.UNKNOWN_STREAM';
  readonly kind = 'not_found';
}
export class NotKnownThenError extends ApplicationError {
  readonly code = 'AUDIT.NOT_KNOWN_THEN';
  readonly kind = 'not_found';
}
export class NotAnAggregateError extends ApplicationError {
  readonly code = 'AUDIT.NOT_AN_AGGREGATE';
  readonly kind = 'not_found';
}

const STREAM_ID = new PathParam('streamId', /^[a-z_]{1,40}-[A-Za-z0-9._:@-]{1,300}$/, 'a stream id (<category>-<id>, e.g. order-e481f51c…)');
/** Events read per page of the global log while filtering; a page of the answer examines at most SCAN_BUDGET events. */
const PAGE = 1000;
const SCAN_BUDGET = 50_000;

type EventFilter = (e: RecordedEvent) => boolean;

const minPosition = (a: string | undefined, b: string): string => (a !== undefined && a < b ? a : b);

const filterOf = (q: EventsQueryDto): EventFilter => {
  const types = q.type && q.type.length > 0 ? new Set(q.type) : undefined;
  const time = (value: unknown) => (typeof value === 'string' ? Date.parse(value) : Number.NaN);
  return (e) => {
    if (types && !types.has(e.type)) return false;
    if (q.stream && e.streamId !== q.stream) return false;
    const m = e.metadata as Record<string, unknown>;
    if (q.runId && m.correlationId !== q.runId) return false;
    if (q.occurredFrom || q.occurredTo) {
      const at = time(m.occurredAt);
      if (Number.isNaN(at) || (q.occurredFrom && at < q.occurredFrom.getTime()) || (q.occurredTo && at >= q.occurredTo.getTime())) return false;
    }
    if (q.recordedFrom || q.recordedTo) {
      const at = time(m.recordedAt);
      if (Number.isNaN(at) || (q.recordedFrom && at < q.recordedFrom.getTime()) || (q.recordedTo && at >= q.recordedTo.getTime())) return false;
    }
    return true;
  };
};

/** Which derived status an order had: its own milestones, then its shipment's (a read-side view over two contexts). */
const orderStatus = (order: Record<string, unknown>, shipment: Record<string, unknown> | undefined): string => {
  if (order.status === 'absent') return 'absent';
  const milestones = new Set((order.milestones as string[] | undefined) ?? []);
  for (const exit of ['canceled', 'unavailable']) if (milestones.has(exit)) return exit;
  if (shipment?.delivered) return 'delivered';
  if (shipment?.dispatched) return 'shipped';
  for (const step of ['processing', 'invoiced', 'approved']) if (milestones.has(step)) return step;
  return 'created';
};

/** Auditors' reads of the event history (spec §2, §11): a stream, the global log, an aggregate as of a point. */
@ApiTags('audit')
@ApiBearerAuth()
@Roles('auditor')
@Controller('v1/audit')
export class AuditController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PERSONAL_DATA) private readonly personalData: PersonalDataProtection,
  ) {}

  /** Events as auditors see them; rejected rows' raw personal values opened (or erased), as everywhere people read them. */
  private async views(events: ReadonlyArray<RecordedEvent>): Promise<EventView[]> {
    const rejected = events.filter((e) => e.type === REJECTED_ROW_EVENT);
    if (rejected.length === 0) return events.map(eventView);
    const opened = await this.personalData.openRejectedRows(
      rejected.map((e) => ({ streamId: e.streamId, eventId: e.id, raw: ((e.data as { raw?: Record<string, unknown> }).raw ?? {}) })),
    );
    const raws = new Map(rejected.map((e, i) => [e.id, opened[i]!]));
    return events.map((e) => (raws.has(e.id) ? eventView({ ...e, data: { ...(e.data as object), raw: raws.get(e.id) } }) : eventView(e)));
  }

  @Get('streams/:streamId')
  @ApiOperation({ summary: "A stream's events in order with their full metadata, paged by revision, forwards or backwards; raw=true: as stored" })
  async stream(@Param('streamId', STREAM_ID) streamId: string, @Query() q: StreamQueryDto) {
    const source = q.raw === 'true' && this.store instanceof UpcastingEventStore ? this.store.stored : this.store;
    const events = await source.readStream(streamId, {
      direction: q.direction, fromRevision: q.from === undefined ? undefined : BigInt(q.from), maxCount: q.limit + 1,
    });
    if (events.length === 0 && q.from === undefined) throw new UnknownStreamError(`no stream ${streamId}`, { streamId });
    const page = events.slice(0, q.limit);
    const next = events.length > q.limit ? events[q.limit]!.revision.toString() : null;
    return { streamId, direction: q.direction, raw: q.raw === 'true', events: await this.views(page), next };
  }

  @Get('events')
  @ApiOperation({
    summary: 'The global log, filtered (type, stream, runId, occurred/recorded ranges) and paged by an opaque cursor',
    description: 'Pass `next` as `after` for the following page: no event is skipped or repeated. `more` is false once the log (as far as it is committed) is read.',
  })
  async events(@Query() q: EventsQueryDto) {
    const matches = filterOf(q);
    const found: RecordedEvent[] = [];
    let cursor = q.after as Checkpoint | undefined;
    let scanned = 0;
    let more = true;
    scan: while (scanned < SCAN_BUDGET) {
      const page = await this.store.readAll({ after: cursor, maxCount: PAGE });
      for (const e of page.events) {
        scanned += 1;
        cursor = e.position;
        if (matches(e)) {
          found.push(e);
          if (found.length >= q.limit) break scan;
        }
      }
      if (page.events.length < PAGE) {
        more = false;
        break;
      }
    }
    return { events: await this.views(found), next: cursor ?? null, more, scanned };
  }

  @Get('events/counts')
  @ApiOperation({ summary: 'Events by type over the filtered range (the whole log by default)' })
  async counts(@Query() q: EventsQueryDto) {
    const matches = filterOf(q);
    const counts: Record<string, number> = {};
    let cursor = q.after as Checkpoint | undefined;
    let total = 0;
    for (;;) {
      const page = await this.store.readAll({ after: cursor, maxCount: 5 * PAGE });
      for (const e of page.events) {
        if (matches(e)) {
          counts[e.type] = (counts[e.type] ?? 0) + 1;
          total += 1;
        }
      }
      if (page.events.length === 0) break;
      cursor = page.checkpoint;
    }
    return { total, counts, upTo: cursor ?? null };
  }

  @Get('aggregates/:streamId')
  @ApiOperation({
    summary: "An aggregate's state as of a business time (asOf), an ingestion time (recordedAsOf), a revision or a log position, with the events that built it",
    description: 'Facts the source does not date (reference data) count as known at any business time.',
  })
  async aggregate(@Param('streamId', STREAM_ID) streamId: string, @Query() q: AggregateQueryDto) {
    const aggregate = aggregateOf(streamId);
    if (!aggregate) throw new NotAnAggregateError(`${streamId} is not the stream of an aggregate`, { streamId });
    const all = await this.store.readStream(streamId);
    if (all.length === 0) throw new UnknownStreamError(`no stream ${streamId}`, { streamId });
    const events = all.filter(this.upTo(q));
    if (events.length === 0) throw new NotKnownThenError(`${streamId} was not known then`, { streamId });
    const state = foldAggregate(streamId, events) as Record<string, unknown>;
    const view: Record<string, unknown> = {
      streamId, context: aggregate.context, asOf: q.asOf ?? null, recordedAsOf: q.recordedAsOf ?? null, atRevision: q.atRevision ?? null,
      atPosition: q.atPosition ?? null, revision: events.at(-1)!.revision.toString(), position: events.at(-1)!.position, state, events: await this.views(events),
    };
    if (streamId.startsWith('order-')) {
      const shipmentStream = `shipment-${streamId.slice('order-'.length)}`;
      // The same point for the shipment: a revision of the order means the log as it stood at that event.
      const shipmentPoint = q.atRevision === undefined ? q : { ...q, atRevision: undefined, atPosition: minPosition(q.atPosition, events.at(-1)!.position) };
      const shipmentEvents = (await this.store.readStream(shipmentStream)).filter(this.upTo(shipmentPoint));
      const shipment = shipmentEvents.length > 0 ? (foldAggregate(shipmentStream, shipmentEvents) as Record<string, unknown>) : undefined;
      view.status = orderStatus(state, shipment);
      view.shipment = shipment ? { streamId: shipmentStream, state: shipment, events: await this.views(shipmentEvents) } : null;
    }
    return view;
  }

  private upTo(q: AggregateQueryDto): (e: RecordedEvent) => boolean {
    return (e) => {
      const m = e.metadata as Record<string, unknown>;
      if (q.atRevision !== undefined && e.revision > BigInt(q.atRevision)) return false;
      if (q.atPosition !== undefined && e.position > q.atPosition) return false;
      if (q.recordedAsOf && Date.parse(String(m.recordedAt)) > q.recordedAsOf.getTime()) return false;
      if (q.asOf && typeof m.occurredAt === 'string' && Date.parse(m.occurredAt) > q.asOf.getTime()) return false;
      return true;
    };
  }
}
