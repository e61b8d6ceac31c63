import { CATEGORIES } from '../../sharing/categories';
import { renderMinutes } from '../minutes/minutes-view';
import type { MinutesSnapshot } from '../minutes/minutes-snapshot';
import { draftReasonCategory, reasonsView, type ReasonRecord } from './agenda-view';

const EVERYTHING = new Set(CATEGORIES);

describe('agenda reasons fail closed', () => {
  it('shows a reason without a known category to nobody, not even a viewer granted every category', () => {
    const reasons: ReasonRecord[] = [
      { code: 'severe_incident', detail: 'violence' },
      { code: 'new_incidents', detail: 'theft', category: 'secret' },
      { code: 'nominated', category: 42 },
      { code: 'overdue_actions', detail: '1', category: 'deliberation', origin: 'draft' },
    ];
    expect(reasonsView(reasons, EVERYTHING)).toEqual([{ category: 'deliberation', code: 'overdue_actions', detail: '1', origin: 'draft' }]);
    expect(reasonsView(reasons, new Set(['criminal', 'incidents']))).toEqual([]);
  });

  it('lists a reason only to viewers granted its own category', () => {
    const reasons: ReasonRecord[] = [{ code: 'severe_incident', detail: 'violence', category: 'criminal', origin: 'draft' }];
    expect(reasonsView(reasons, new Set(['deliberation', 'incidents']))).toEqual([]);
    expect(reasonsView(reasons, new Set(['criminal']))).toEqual([{ category: 'criminal', code: 'severe_incident', detail: 'violence', origin: 'draft' }]);
  });

  it('drafts incident reasons under the classification of their incidents, criminal when it is unknown', () => {
    expect(draftReasonCategory('severe_incident', 'offence')).toBe('criminal');
    expect(draftReasonCategory('new_incidents', 'nuisance')).toBe('incidents');
    expect(draftReasonCategory('new_incidents', null)).toBe('criminal');
    expect(draftReasonCategory('overdue_actions', null)).toBe('deliberation');
  });

  it('hides a reason of frozen minutes whose category is unknown', () => {
    const snapshot = {
      format: 1,
      meetingId: 'm',
      tableId: 't',
      tableName: 'LKO',
      scheduledAt: '2026-01-06T09:00:00.000Z',
      openedAt: null,
      closedAt: '2026-01-06T11:00:00.000Z',
      location: null,
      attendance: [],
      items: [
        {
          agendaItemId: 'i',
          position: 1,
          topic: { category: 'deliberation', value: 'Onderwerp' },
          case: null,
          reasons: [
            { category: 'unknown', value: { code: 'severe_incident', detail: 'violence' } },
            { category: 'deliberation', value: { code: 'nominated' } },
          ],
          decisionText: { category: 'deliberation', value: null },
          outcome: { category: 'deliberation', value: null },
          strategy: null,
          actions: [],
          actionReviews: [],
          escalations: [],
          measures: [],
        },
      ],
    } as unknown as MinutesSnapshot;
    const { view, categories } = renderMinutes(snapshot, [], EVERYTHING, new Map());
    expect(view.items![0].reasons).toEqual([{ category: 'deliberation', code: 'nominated' }]);
    expect(categories).not.toContain('unknown');
  });
});
