/**
 * "Full jitter" exponential back-off: a random delay up to base·2^failures, capped. Replicas of one
 * site that failed together retry spread out instead of in step.
 */
export function backoffDelay(failures: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(failures, 30));
  return Math.max(baseMs / 2, Math.floor(random() * ceiling));
}
