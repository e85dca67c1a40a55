// Every dashboard crashdesk ships, by the file it is written to (`npm run dashboards`).
import { dataDashboard } from './data.js';
import { operatorDashboard } from './operator.js';
import { buildDashboard, type DashboardSpec } from './panels.js';
import { siteDashboard } from './site.js';

export const DASHBOARDS: Readonly<Record<string, DashboardSpec>> = {
  'crashdesk-site.json': siteDashboard,
  'crashdesk-data.json': dataDashboard,
  'crashdesk-operator.json': operatorDashboard,
};

/** File name → the JSON Grafana imports, as committed beside this file. */
export function dashboardFiles(): Map<string, string> {
  return new Map(Object.entries(DASHBOARDS).map(([file, spec]) => [file, `${JSON.stringify(buildDashboard(spec), null, 2)}\n`]));
}
