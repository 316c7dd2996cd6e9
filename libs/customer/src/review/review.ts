import { decideUnless, rejected, streamId, type Decider } from '@olist/shared-kernel';
import type { ReviewAnswered, ReviewCorrected, ReviewSubmitted } from '../events.js';

export type ReviewEvent = ReviewSubmitted | ReviewCorrected | ReviewAnswered;
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
type Submission = ReviewSubmitted['data'] & { readonly answered: boolean };
/** Olist reuses a review id across orders: the review stream holds one submission per order. */
export interface ReviewState {
  readonly submissions: ReadonlyMap<string, Submission>;
}

export const reviewStreamId = (reviewId: string): string => streamId('review', reviewId);

const sameSubmission = (a: ReviewSubmitted['data'], b: ReviewSubmitted['data']): boolean =>
  a.score === b.score && a.commentTitle === b.commentTitle && a.commentMessage === b.commentMessage && a.createdAt === b.createdAt;

/** Score 1..5 and an answer after creation; a changed row of a recorded review is a correction. */
export const reviewDecider: Decider<SubmitReview, ReviewState, ReviewEvent> = {
  initialState: () => ({ submissions: new Map() }),
  decide: (command, state) => {
    if (!command.orderKnown) return rejected('unknown order');
    const { reviewId, orderId, answeredAt } = command;
    const submission: ReviewSubmitted['data'] = {
      reviewId, orderId, score: command.score, commentTitle: command.commentTitle, commentMessage: command.commentMessage, createdAt: command.createdAt,
    };
    const known = state.submissions.get(orderId);
    return decideUnless<ReviewEvent>(
      [
        !(Number.isInteger(command.score) && command.score >= 1 && command.score <= 5) && `review_score must be an integer 1..5 (got ${command.score})`,
        answeredAt !== null && answeredAt < command.createdAt && 'review_answer_timestamp is before review_creation_date',
      ],
      () => {
        const events: ReviewEvent[] = [];
        if (!known) events.push({ type: 'ReviewSubmitted', data: submission });
        else if (!sameSubmission(known, submission)) events.push({ type: 'ReviewCorrected', data: submission });
        if (answeredAt && !known?.answered) events.push({ type: 'ReviewAnswered', data: { reviewId, orderId, answeredAt } });
        return events;
      },
    );
  },
  evolve: (state, event) => {
    const submissions = new Map(state.submissions);
    if (event.type === 'ReviewAnswered') {
      const known = submissions.get(event.data.orderId);
      if (known) submissions.set(event.data.orderId, { ...known, answered: true });
    } else {
      submissions.set(event.data.orderId, { ...event.data, answered: submissions.get(event.data.orderId)?.answered ?? false });
    }
    return { submissions };
  },
  occurredAt: (event) => (event.type === 'ReviewAnswered' ? event.data.answeredAt : event.data.createdAt),
};
