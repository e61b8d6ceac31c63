import type { Category } from '../sharing/categories';
import type { MinutesSnapshot } from '../meetings/minutes/minutes-snapshot';

/** The categories whose details erasure deletes, in the live records and in the frozen minutes alike. */
export const ERASED_CATEGORIES: ReadonlySet<Category> = new Set<Category>(['criminal', 'care']);

/**
 * What erasure deletes from frozen minutes (format 2) for the items of `caseIds`: the details of reasons and
 * the notes of measures of the criminal and care categories, as it deletes them from the live records.
 * The minutes hold no identity any more (the person is looked up when read and reads as erased), and the
 * table's deliberation (decisions, actions agreed) stays, as it does on the case. Returns the minutes
 * unchanged (the same object) when there is nothing to delete, so the caller writes only what changed.
 */
export function scrubMinutes(snapshot: MinutesSnapshot, caseIds: ReadonlySet<string>): MinutesSnapshot {
  let changed = false;
  const items = snapshot.items.map((item) => {
    if (!item.case || !caseIds.has(item.case.id)) return item;
    const reasons = item.reasons.map((r) => {
      if (!ERASED_CATEGORIES.has(r.category) || r.value.detail === undefined) return r;
      changed = true;
      const { detail: _, ...rest } = r.value;
      return { ...r, value: rest };
    });
    const measures = item.measures.map((x) => {
      if (!ERASED_CATEGORIES.has(x.category) || x.value.note === null) return x;
      changed = true;
      return { ...x, value: { ...x.value, note: null } };
    });
    // A snapshot frozen in format 1 may still name the person on the case; it goes too.
    const legacy = item.case as typeof item.case & { subject?: unknown; subjectId?: unknown };
    if ('subject' in legacy || 'subjectId' in legacy) changed = true;
    const { subject: _s, subjectId: _i, ...caseOnly } = legacy;
    return { ...item, case: caseOnly, reasons, measures };
  });
  return changed ? { ...snapshot, items } : snapshot;
}
