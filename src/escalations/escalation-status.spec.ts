import { ESCALATION_STATUSES } from './escalation.entity';
import { ESCALATION_ACTIONS, ESCALATION_TRANSITIONS, requireEscalationTransition } from './escalation-status';

describe('escalation status machine', () => {
  it('has the same transitions per action as per status', () => {
    const byAction = Object.values(ESCALATION_ACTIONS).flatMap((a) => a.from.map((from) => `${from}→${a.to}`)).sort();
    const byStatus = ESCALATION_STATUSES.flatMap((from) => ESCALATION_TRANSITIONS[from].map((to) => `${from}→${to}`)).sort();
    expect(byAction).toEqual(byStatus);
  });

  it('ends in rejected, completed and withdrawn', () => {
    expect(ESCALATION_STATUSES.filter((s) => ESCALATION_TRANSITIONS[s].length === 0)).toEqual(['rejected', 'completed', 'withdrawn']);
  });

  it('refuses a change it does not list with illegal_transition, naming where it could go', () => {
    expect(() => requireEscalationTransition('requested', 'accepted')).not.toThrow();
    expect(() => requireEscalationTransition('proposed', 'accepted')).toThrow(expect.objectContaining({ code: 'illegal_transition', extensions: { fromStatus: 'proposed', toStatus: 'accepted', allowed: ['requested', 'withdrawn'] } }));
  });
});
