import { accepted, decideUnless, rejected, streamId, type Decider } from '@olist/shared-kernel';
import type { ReviewAnswered, ReviewSubmitted } from '../events.js';

export type ReviewEvent = ReviewSubmitted | ReviewAnswered;
export interface SubmitReview {
  readonly type: 'SubmitReview';
  readonly reviewId: string;
  readonly orderId: string;
  /** Whether the reviewed order exists: resolved by the command handler from the order's stream. */
  readonly orderKnown: boolean;
  readonly score: number;
  readonly commentTitle: string | null;
  readonly commentMessage: string | null;
  readonly createdAt: string;
  readonly answeredAt: string | null;
}
/** Olist reuses a review id across orders: the review stream holds one submission per order. */
export interface ReviewState {
  readonly submissions: ReadonlyMap<string, { readonly score: number; readonly answered: boolean }>;
}

export const reviewStreamId = (reviewId: string): string => streamId('review', reviewId);

export const reviewDecider: Decider<SubmitReview, ReviewState, ReviewEvent> = {
  initialState: () => ({ submissions: new Map() }),
  decide: (command, state) => {
    if (!command.orderKnown) return rejected('unknown order');
    const { reviewId, orderId, answeredAt } = command;
    const known = state.submissions.get(orderId);
    if (known) {
      if (known.score !== command.score) return rejected(`review ${reviewId} of order ${orderId} already recorded with score ${known.score}`);
      return !known.answered && answeredAt ? accepted({ type: 'ReviewAnswered', data: { reviewId, orderId, answeredAt } }) : accepted();
    }
    return decideUnless(
      [
        !(Number.isInteger(command.score) && command.score >= 1 && command.score <= 5) && `review_score must be an integer 1..5 (got ${command.score})`,
        answeredAt !== null && answeredAt < command.createdAt && 'review_answer_timestamp is before review_creation_date',
      ],
      () => {
        const submitted: ReviewSubmitted = {
          type: 'ReviewSubmitted',
          data: { reviewId, orderId, score: command.score, commentTitle: command.commentTitle, commentMessage: command.commentMessage, createdAt: command.createdAt },
        };
        return answeredAt ? [submitted, { type: 'ReviewAnswered', data: { reviewId, orderId, answeredAt } }] : [submitted];
      },
    );
  },
  evolve: (state, event) => {
    const submissions = new Map(state.submissions);
    if (event.type === 'ReviewSubmitted') submissions.set(event.data.orderId, { score: event.data.score, answered: false });
    else submissions.set(event.data.orderId, { ...submissions.get(event.data.orderId)!, answered: true });
    return { submissions };
  },
};
