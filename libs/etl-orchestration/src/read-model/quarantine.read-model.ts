import type { RowRejected } from '../events.js';
import type { ProjectedEvent, ReadModelHandler, SqlClient } from '@olist/postgres';

/** `data_quality.invalid_rows`: every rejected source row, queryable by run, file and reason. */
export const quarantineReadModel: ReadModelHandler = {
  eventTypes: new Set<RowRejected['type']>(['RowRejected']),
  // Rejections can be numerous: one statement per batch.
  async apply(tx: SqlClient, events: ReadonlyArray<ProjectedEvent>): Promise<void> {
    const rows = events.map((e) => {
      const d = e.data as RowRejected['data'];
      return { event_id: e.id, run_id: d.runId, file: d.file, line: d.line, raw: d.raw, reasons: d.reasons, rejected_at: e.recordedAt.toISOString() };
    });
    await tx.query(
      `INSERT INTO data_quality.invalid_rows (event_id, run_id, file, line, raw, reasons, rejected_at)
       SELECT r.event_id, r.run_id, r.file, r.line, r.raw, ARRAY(SELECT jsonb_array_elements_text(r.reasons)), r.rejected_at
       FROM jsonb_to_recordset($1::jsonb) AS r(event_id uuid, run_id uuid, file text, line integer, raw jsonb, reasons jsonb, rejected_at timestamptz)
       ON CONFLICT (event_id) DO NOTHING`,
      [JSON.stringify(rows)],
    );
  },
};
