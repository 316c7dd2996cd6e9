import { timestampFromIso } from '@olist/duckdb';
import type { YearSpan } from '../calendar.js';
import type { StagedTables } from '../staging.js';
import type { CustomerKnown, OrderChanges, OrderOf } from './orders.js';
import { hasText, intOrNull, isText, textOrNull, type EventData } from './star-schema-events.js';

interface ReviewPatch {
  reviewId: string;
  orderId: string;
  submitted: boolean;
  score: number | null;
  hasComment: boolean | null;
  createdAt: string | null;
  answeredAt: string | null;
}

/** The batch's reviews for fact_reviews per (review id, order): the last submission, and the answer. */
export class ReviewChanges {
  private readonly patches = new Map<string, ReviewPatch>();

  constructor(
    private readonly orders: OrderChanges,
    private readonly years: YearSpan,
  ) {}

  submitted(data: EventData<'ReviewSubmitted' | 'ReviewCorrected'>): boolean {
    const patch = this.review(data.reviewId, data.orderId);
    if (!patch) return false;
    patch.submitted = true;
    patch.score = intOrNull(data.score);
    patch.hasComment = hasText(data.commentMessage) || hasText(data.commentTitle);
    patch.createdAt = textOrNull(data.createdAt);
    this.years.note(patch.createdAt);
    return true;
  }

  answered(data: EventData<'ReviewAnswered'>): boolean {
    const patch = this.review(data.reviewId, data.orderId);
    if (patch) patch.answeredAt = textOrNull(data.answeredAt) ?? patch.answeredAt;
    return patch !== undefined;
  }

  /** Undefined when the event lacks its review or order id. */
  private review(reviewId: unknown, orderId: unknown): ReviewPatch | undefined {
    if (!isText(reviewId) || !isText(orderId)) return undefined;
    this.orders.touch(orderId);
    const key = `${reviewId}\u0000${orderId}`;
    let patch = this.patches.get(key);
    if (!patch) {
      patch = { reviewId, orderId, submitted: false, score: null, hasComment: null, createdAt: null, answeredAt: null };
      this.patches.set(key, patch);
    }
    return patch;
  }

  stage(staged: StagedTables, orderOf: OrderOf, customerKnown: CustomerKnown): void {
    for (const r of this.patches.values()) {
      const { customerId } = orderOf(r.orderId);
      staged.append('review', {
        review_id: r.reviewId,
        order_id: r.orderId,
        customer_id: customerId,
        customer_known: customerKnown(customerId),
        submitted: r.submitted,
        score: r.score,
        has_comment: r.hasComment,
        created_at: timestampFromIso(r.createdAt),
        answered_at: timestampFromIso(r.answeredAt),
      });
    }
  }
}
