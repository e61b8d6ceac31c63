/**
 * Content negotiation by the q-values of the Accept header, among the media types a route offers (the first
 * is the default): the offered type with the highest quality, the earlier one on a tie; undefined when the
 * caller accepts none of them. No Accept header, or an empty one, accepts the default. Used by every route
 * that offers more than JSON (minutes as PDF, the contact card as HTML, statistics as CSV).
 */
export function negotiateMediaType<T extends string>(accept: string | undefined, offered: readonly [T, ...T[]]): T | undefined {
  if (!accept?.trim()) return offered[0];
  const ranges = accept.split(',').map((part) => {
    const [range, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    return { range: range.trim(), q: q === undefined ? 1 : Number(q) };
  });
  const quality = (type: string) => {
    const [main] = type.split('/');
    const match = ranges.find((r) => r.range === type) ?? ranges.find((r) => r.range === `${main}/*`) ?? ranges.find((r) => r.range === '*/*');
    const q = match?.q ?? 0;
    return Number.isFinite(q) ? q : 0;
  };
  let best: T | undefined;
  let bestQ = 0;
  for (const type of offered) {
    const q = quality(type);
    if (q > bestQ) {
      best = type;
      bestQ = q;
    }
  }
  return best;
}
