import { accepted, decideUnless, streamId, type Decider, undated } from '@olist/shared-kernel';
import type { CategoryRegistered, CategoryTranslationCorrected } from '../events.js';

export type CategoryEvent = CategoryRegistered | CategoryTranslationCorrected;
export interface RegisterCategory {
  readonly type: 'RegisterCategory';
  readonly category: string;
  readonly categoryNameEn: string;
}
export type CategoryState = { readonly status: 'absent' } | { readonly status: 'registered'; readonly categoryNameEn: string };

export const categoryStreamId = (category: string): string => streamId('category', category);

export const categoryDecider: Decider<RegisterCategory, CategoryState, CategoryEvent> = {
  initialState: () => ({ status: 'absent' }),
  decide: (command, state) => {
    if (state.status === 'registered') {
      if (state.categoryNameEn === command.categoryNameEn) return accepted();
      return accepted({ type: 'CategoryTranslationCorrected', data: { category: command.category, categoryNameEn: command.categoryNameEn } });
    }
    return decideUnless(
      [command.category === '' && 'product_category_name is empty', command.categoryNameEn === '' && 'product_category_name_english is empty'],
      () => [{ type: 'CategoryRegistered', data: { category: command.category, categoryNameEn: command.categoryNameEn } }],
    );
  },
  evolve: (_state, event) => ({ status: 'registered', categoryNameEn: event.data.categoryNameEn }),
  occurredAt: undated,
};
