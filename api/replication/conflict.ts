/** What the conflict rule compares of a report's state. */
export interface VersionStamp {
  readonly version: number;
  /** UTC with microseconds, fixed width, so text order is time order. */
  readonly updatedAt: string;
  readonly originSite: string;
}

/**
 * The conflict rule, the same at every site: the state with the higher version wins; at equal
 * versions the later `updatedAt`; then the greater origin site name. A total order on distinct
 * stamps, so every site keeps the same winner whatever order states arrive in.
 */
export function compareStamps(a: VersionStamp, b: VersionStamp): number {
  if (a.version !== b.version) return a.version < b.version ? -1 : 1;
  if (a.updatedAt !== b.updatedAt) return a.updatedAt < b.updatedAt ? -1 : 1;
  if (a.originSite !== b.originSite) return a.originSite < b.originSite ? -1 : 1;
  return 0;
}
