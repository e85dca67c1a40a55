// Where a site's CPU goes: a V8 .cpuprofile (the inspector's sampling profiler) summed by self time,
// per area of the code (a package, a feature folder of the api, Node itself) and per function.
import { SITE_BUILD } from './site-process.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
}

export interface ProfileSummary {
  /** Samples that were not idle: the share below is of these. */
  readonly busySamples: number;
  readonly areas: readonly { readonly area: string; readonly share: number }[];
  readonly functions: readonly { readonly name: string; readonly share: number }[];
}

const IDLE = new Set(['(idle)', '(program)']);

/** `node_modules/@hono/node-server/dist/…` → `@hono/node-server`; `…/api/audit/trail.ts` → `api/audit`. */
// The site's own code runs compiled from inside node_modules (bench/site-process.ts): it is ours.
const ours = (url: string) => url.replace(`${SITE_BUILD}/`, '');

function areaOf(frame: ProfileNode['callFrame']): string {
  if (frame.functionName === '(garbage collector)') return 'garbage collection';
  const url = ours(frame.url);
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  const own = /\/(api|bench)\/([^/]+)\//.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  if (url.startsWith('node:') || url === '') return 'node (http, streams, crypto, timers)';
  return url.replace(/^.*\//, '');
}

function shortUrl(url: string): string {
  return ours(url)
    .replace(/^.*node_modules\//, '')
    .replace(/^file:\/\/.*?\/(api|bench)\//, '$1/');
}

export function summariseProfile(text: string, top = 8): ProfileSummary {
  const profile = JSON.parse(text) as Profile;
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0 || IDLE.has(node.callFrame.functionName)) continue;
    busy += hits;
    const area = areaOf(node.callFrame);
    areas.set(area, (areas.get(area) ?? 0) + hits);
    const name = `${node.callFrame.functionName || '(anonymous)'} ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + hits);
  }
  const ranked = (counts: Map<string, number>) =>
    [...counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, hits]) => ({ key, share: busy === 0 ? 0 : hits / busy }));
  return {
    busySamples: busy,
    areas: ranked(areas).map(({ key, share }) => ({ area: key, share })),
    functions: ranked(functions).map(({ key, share }) => ({ name: key, share })),
  };
}

const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

export function renderProfiles(profiles: readonly { readonly route: string; readonly summary: ProfileSummary }[]): string {
  if (profiles.length === 0) return '';
  const lines = ['### Where the site CPU goes (self time, sampled during an unmeasured run of each route)', ''];
  for (const { route, summary } of profiles) {
    lines.push(`**${route}** (${summary.busySamples} busy samples)`, '');
    lines.push(`- by area: ${summary.areas.map((area) => `${area.area} ${percent(area.share)}`).join(', ')}`);
    lines.push(`- hottest functions: ${summary.functions.map((fn) => `\`${fn.name}\` ${percent(fn.share)}`).join(', ')}`, '');
  }
  return lines.join('\n');
}
