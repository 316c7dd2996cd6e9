import type { OrderStatus } from './orders.js';
import type { QuirkRates } from './quirks.js';
import { REVIEW_PHRASES, REVIEW_TITLES } from './reference-data.js';
import { Weighted, type Rng } from './rng.js';
import type { RowOf } from './rows.js';
import { DAY, HOUR, formatTimestamp, startOfDay } from './time.js';

/** Scores when things went well (5 dominant) and when the order was late or never delivered (1 dominant). */
const SCORES_HAPPY = new Weighted<number>([[5, 62], [4, 20.5], [3, 8], [2, 2.5], [1, 7]]);
const SCORES_UNHAPPY = new Weighted<number>([[5, 22], [4, 11], [3, 10], [2, 8], [1, 49]]);
/** Chance of a written comment by score (unhappy customers write more). */
const MESSAGE_RATE: Readonly<Record<number, number>> = { 1: 0.75, 2: 0.65, 3: 0.5, 4: 0.33, 5: 0.35 };
const TITLE_RATE = 0.12;

type Sentiment = 'positive' | 'neutral' | 'negative';
const sentimentOf = (score: number): Sentiment => (score >= 4 ? 'positive' : score === 3 ? 'neutral' : 'negative');

export interface ReviewedOrder {
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly purchase: number;
  readonly delivered: number | null;
  readonly estimated: number;
  readonly late: boolean;
}

export interface ReviewCounters {
  sharedReviewIds: number;
  multipleReviews: number;
  ordersWithoutReview: number;
  multiLineComments: number;
  quotesInComments: number;
}

/**
 * Reviews: one per order as a rule, created the day after delivery (or around the estimate when the
 * order never arrived) and answered later. The review quirks (orders without review, a review shared
 * by two orders, several reviews for one order, multi-line and quoted comments) are decided on streams
 * of their own.
 */
export class ReviewFactory {
  private previous: RowOf<'reviews'> | undefined;
  private readonly noReviewRng: Rng;
  private readonly sharedRng: Rng;
  private readonly multipleRng: Rng;
  private readonly multiLineRng: Rng;
  private readonly quotesRng: Rng;

  constructor(
    private readonly ids: Rng,
    private readonly rng: Rng,
    private readonly rates: QuirkRates,
    private readonly lineBreak: string,
    private readonly counters: ReviewCounters,
  ) {
    this.noReviewRng = rng.fork('ordersWithoutReview');
    this.sharedRng = rng.fork('sharedReviewIds');
    this.multipleRng = rng.fork('multipleReviews');
    this.multiLineRng = rng.fork('multiLineComments');
    this.quotesRng = rng.fork('quotesInComments');
  }

  reviewsFor(order: ReviewedOrder): RowOf<'reviews'>[] {
    // Draw every quirk decision up front so each stream advances once per order.
    const none = this.noReviewRng.chance(this.rates.ordersWithoutReview);
    const shared = this.sharedRng.chance(this.rates.sharedReviewIds);
    const extra = this.multipleRng.chance(this.rates.multipleReviews) ? (this.multipleRng.chance(0.1) ? 2 : 1) : 0;
    if (none) {
      this.counters.ordersWithoutReview++;
      return [];
    }
    const out: RowOf<'reviews'>[] = [];
    if (shared && this.previous) {
      // The same review (id, score, comment, dates) also filed under this order.
      this.counters.sharedReviewIds++;
      out.push({ ...this.previous, order_id: order.orderId });
    } else {
      out.push(this.review(order, this.firstCreation(order)));
      this.previous = out[0];
    }
    if (extra > 0) this.counters.multipleReviews++;
    let creation = startOfDay(Date.parse(`${out[0]!.review_creation_date.slice(0, 10)}T00:00:00Z`));
    for (let i = 0; i < extra; i++) {
      creation += this.rng.int(1, 20) * DAY;
      out.push(this.review(order, creation));
    }
    return out;
  }

  private firstCreation(order: ReviewedOrder): number {
    if (order.delivered !== null) return startOfDay(order.delivered) + DAY;
    const around = startOfDay(order.estimated) + this.rng.int(-5, 3) * DAY;
    return Math.max(around, startOfDay(order.purchase) + DAY);
  }

  private review(order: ReviewedOrder, creation: number): RowOf<'reviews'> {
    const rng = this.rng;
    const unhappy = order.late || order.delivered === null;
    const score = (unhappy ? SCORES_UNHAPPY : SCORES_HAPPY).sample(rng);
    const sentiment = sentimentOf(score);
    const title = rng.chance(TITLE_RATE) ? rng.pick(REVIEW_TITLES[sentiment]) : '';
    const message = rng.chance(MESSAGE_RATE[score]!) ? this.message(sentiment) : '';
    const answer = creation + 6 * HOUR + Math.min(30 * DAY, rng.exponential(2.5 * DAY));
    return {
      review_id: this.ids.hex32(),
      order_id: order.orderId,
      review_score: String(score),
      review_comment_title: title,
      review_comment_message: message,
      review_creation_date: formatTimestamp(creation),
      review_answer_timestamp: formatTimestamp(Math.floor(answer / 1000) * 1000),
    };
  }

  /** One to three phrases; sometimes on several lines, sometimes with a quoted word. */
  private message(sentiment: Sentiment): string {
    const rng = this.rng;
    const multiLine = this.multiLineRng.chance(this.rates.multiLineComments);
    const quoted = this.quotesRng.chance(this.rates.quotesInComments);
    const n = multiLine ? rng.int(2, 3) : rng.chance(0.35) ? 2 : 1;
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(rng.pick(REVIEW_PHRASES[sentiment]));
    if (quoted) {
      parts[rng.int(0, parts.length - 1)] = rng.pick(REVIEW_PHRASES.quoted);
      this.counters.quotesInComments++;
    }
    if (multiLine) {
      this.counters.multiLineComments++;
      return parts.join(this.lineBreak);
    }
    return parts.join(rng.chance(0.5) ? '. ' : ' ') + (rng.chance(0.4) ? '.' : '');
  }
}
