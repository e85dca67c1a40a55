import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { generateAdminPassword } from '../site/admin-account.js';

const stateSchema = z.object({
  postgresPassword: z.string().min(16),
  adminPassword: z.string().min(12),
  /** Site numbers are handed out once and never change: ids embed them. */
  siteNumbers: z.record(z.string(), z.number().int().min(0).max(63)),
  /** Added with field encryption; generated on the first start that lacks it. */
  blindIndexKey: z.base64().optional(),
  /** The password of the sites' own database role (not the owner); generated when missing. */
  appPassword: z.string().optional(),
  /** The platform's replication secret; each city's signing key is derived from it. Generated when missing. */
  replicationSecret: z.string().optional(),
});

export type PlatformState = z.infer<typeof stateSchema>;

/** The local platform keeps each site in a database of its own on one server. */
export function siteDatabaseName(site: string): string {
  return `crashdesk_${site.replaceAll('-', '_')}`;
}

/**
 * The local platform's own secrets and site numbers, kept in the data directory (mode 0600) so a
 * restart finds the same database password, admin password and site numbers.
 */
export async function loadPlatformState(dataDir: string, sites: readonly string[]) {
  const file = join(dataDir, 'platform.json');
  const fresh = !existsSync(file);
  const state: PlatformState = fresh
    ? { postgresPassword: randomBytes(24).toString('base64url'), adminPassword: generateAdminPassword(), siteNumbers: {} }
    : stateSchema.parse(JSON.parse(await readFile(file, 'utf8')));

  let changed = fresh;
  if (!state.blindIndexKey) {
    state.blindIndexKey = randomBytes(32).toString('base64');
    changed = true;
  }
  if (!state.replicationSecret) {
    state.replicationSecret = randomBytes(32).toString('base64url');
    changed = true;
  }
  if (!state.appPassword) {
    state.appPassword = randomBytes(24).toString('base64url');
    changed = true;
  }
  const taken = new Set(Object.values(state.siteNumbers));
  // hq is 0 by convention; other sites take the lowest free number the first time they run.
  for (const site of [...sites].sort((a, b) => (a === 'hq' ? -1 : b === 'hq' ? 1 : 0))) {
    if (state.siteNumbers[site] !== undefined) continue;
    const number = site === 'hq' && !taken.has(0) ? 0 : firstFree(taken);
    state.siteNumbers[site] = number;
    taken.add(number);
    changed = true;
  }
  if (changed) await writeFile(file, JSON.stringify(state, null, 2), { mode: 0o600 });
  return {
    state: { ...state, blindIndexKey: state.blindIndexKey, appPassword: state.appPassword, replicationSecret: state.replicationSecret },
    generatedAdminPassword: fresh,
  };
}

function firstFree(taken: Set<number>): number {
  for (let n = 1; n <= 63; n++) if (!taken.has(n)) return n;
  throw new Error('all 64 site numbers are taken; crashdesk supports at most 64 sites');
}
