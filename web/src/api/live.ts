// Live pages get the same record three ways: the first query, the subscription,
// and the answer to one's own mutation. The one that saw the most of the log
// wins, so after one's own action the subscription's later updates still show.

/** The candidate with the highest log index (`index` of each), the earliest given on a tie. */
export function newest<T>(index: (candidate: T) => number, ...candidates: (T | undefined | null)[]): T | undefined {
  let best: T | undefined;
  for (const c of candidates) if (c && (best === undefined || index(c) > index(best))) best = c;
  return best;
}

/** An issue's position in the log: the index of its latest event. */
export const issueIndex = (issue: { timeline: { index: number }[] }) => issue.timeline.reduce((max, e) => Math.max(max, e.index), -1);
