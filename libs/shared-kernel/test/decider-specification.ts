import { fold, type Decider, type DomainEvent } from '../src/index.js';

/** given(events) / when(command) / then(events) | thenRejected(reasons), Emmett's DeciderSpecification in miniature. */
export const deciderSpecification = <C, S, E extends DomainEvent>(decider: Decider<C, S, E>) => ({
  given: (...given: E[]) => ({
    when: (command: C) => {
      const decision = decider.decide(command, fold(decider, given));
      return {
        then: (...expected: E[]) => {
          expect(decision).toEqual({ kind: 'accepted', events: expected });
        },
        thenNothing: () => {
          expect(decision).toEqual({ kind: 'accepted', events: [] });
        },
        thenRejected: (...reasons: Array<string | RegExp>) => {
          expect(decision.kind).toBe('rejected');
          const got = decision.kind === 'rejected' ? decision.reasons : [];
          expect(got).toHaveLength(reasons.length);
          reasons.forEach((r, i) => (typeof r === 'string' ? expect(got[i]).toBe(r) : expect(got[i]).toMatch(r)));
        },
      };
    },
  }),
});
