// The queries of the dashboards crashdesk ships, as Grafana would send them, for the tests that check them.
import { dashboardFiles } from '../../dashboards/dashboards.js';

export interface DashboardQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly expr: string;
}

interface DashboardJson {
  readonly title: string;
  readonly panels: readonly { readonly type: string; readonly title: string; readonly targets?: readonly { readonly expr: string }[] }[];
  readonly templating: { readonly list: readonly { readonly name: string; readonly type: string; readonly query?: unknown }[] };
}

const dashboards = () => [...dashboardFiles().values()].map((json) => JSON.parse(json) as DashboardJson);

/** Every panel's every query. */
export function dashboardQueries(): DashboardQuery[] {
  return dashboards().flatMap((dashboard) =>
    dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ dashboard: dashboard.title, panel: panel.title, expr: target.expr }))),
  );
}

/** Every query variable's `label_values(series, label)`. */
export function variableQueries(): { dashboard: string; variable: string; series: string; label: string }[] {
  return dashboards().flatMap((dashboard) =>
    dashboard.templating.list
      .filter((variable) => variable.type === 'query')
      .map((variable) => {
        const match = /^label_values\((.+), (\w+)\)$/.exec(String(variable.query));
        if (!match) throw new Error(`${dashboard.title}: variable ${variable.name} is not label_values(series, label): ${String(variable.query)}`);
        return { dashboard: dashboard.title, variable: variable.name, series: match[1]!, label: match[2]! };
      }),
  );
}

export interface Selector {
  readonly metric: string;
  /** Label → operator and value, e.g. `site` → `=~$site`. */
  readonly matchers: ReadonlyMap<string, string>;
}

/**
 * The series selectors of a PromQL expression. Every selector of crashdesk's dashboards has a
 * matcher list (each is scoped by the namespace at least), so `name{...}` finds them all.
 */
export function selectorsOf(expr: string): Selector[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}/g)].map(([, metric, list]) => ({
    metric: metric!,
    matchers: new Map([...list!.matchAll(/(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)].map(([, label, op, value]) => [label!, `${op}${value}`])),
  }));
}

/** The query as Grafana sends it with these variable values (one site, one namespace). */
export function withVariables(expr: string, values: { readonly namespace: string; readonly site: string; readonly rateInterval: string }): string {
  return expr.replaceAll('$namespace', values.namespace).replaceAll('$site', values.site).replaceAll('$__rate_interval', values.rateInterval);
}
