// What every crashdesk dashboard is made of: the data source and the namespace and site variables,
// timeseries panels laid out two to a row, and the PromQL pieces that scope a query to them.
import {
  DashboardBuilder,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import {
  LegendDisplayMode,
  LegendPlacement,
  SortOrder,
  StackingConfigBuilder,
  StackingMode,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

export interface Query {
  readonly expr: string;
  readonly legend: string;
}

export interface Panel {
  readonly title: string;
  readonly description: string;
  /** A Grafana unit: `s`, `reqps`, `percentunit`, `bytes`, `short`, ... */
  readonly unit: string;
  readonly queries: readonly Query[];
  /** Stacked areas, for parts of a whole (connections in use and available). */
  readonly stacked?: boolean;
  /** The y axis goes below 0 (otherwise it starts at 0). */
  readonly signed?: boolean;
}

export interface Section {
  readonly row: string;
  readonly panels: readonly Panel[];
}

/** Where the namespace and site variables take their values from. */
export interface Scope {
  /** A series that every scraped namespace of the dashboard has, e.g. `http_request_duration_seconds_count`. */
  readonly namespacesFrom: string;
  /** A series with a `site` label. */
  readonly sitesFrom: string;
}

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly scope: Scope;
  readonly sections: readonly Section[];
}

/** The namespace and site a series is filtered by; `extra` matchers follow. */
export const inSite = (extra = '') => `{namespace=~"$namespace", site=~"$site"${extra ? `, ${extra}` : ''}}`;
export const inNamespace = (extra = '') => `{namespace=~"$namespace"${extra ? `, ${extra}` : ''}}`;
/** Grafana widens `$__rate_interval` to at least four scrape intervals, so a rate always has samples. */
export const RATE = '[$__rate_interval]';

/** p50, p95 and p99 of a histogram over `by` (without `le`), one query each. */
export function quantiles(histogram: string, selector: string, by: readonly string[], legendPrefix = ''): Query[] {
  const labels = [...by, 'le'].join(', ');
  return [0.5, 0.95, 0.99].map((q) => ({
    expr: `histogram_quantile(${q}, sum by (${labels}) (rate(${histogram}_bucket${selector}${RATE})))`,
    legend: `${legendPrefix}p${Math.round(q * 100)}${by.map((label) => ` {{${label}}}`).join('')}`,
  }));
}

const PANEL_WIDTH = 12;
const PANEL_HEIGHT = 8;

export function buildDashboard(spec: DashboardSpec) {
  const { namespacesFrom, sitesFrom } = spec.scope;
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(['crashdesk'])
    .editable()
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'))
    .withVariable(
      new QueryVariableBuilder('namespace')
        .label('Namespace')
        .datasource(DATASOURCE)
        .query(`label_values(${namespacesFrom}, namespace)`)
        .definition(`label_values(${namespacesFrom}, namespace)`)
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true),
    )
    .withVariable(
      new QueryVariableBuilder('site')
        .label('Site')
        .datasource(DATASOURCE)
        .query(`label_values(${sitesFrom}{namespace=~"$namespace"}, site)`)
        .definition(`label_values(${sitesFrom}{namespace=~"$namespace"}, site)`)
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true),
    );

  let y = 0;
  let id = 1;
  for (const section of spec.sections) {
    builder.withRow(new RowBuilder(section.row).gridPos({ x: 0, y, w: 24, h: 1 }).id(id++));
    y += 1;
    section.panels.forEach((panel, index) => {
      const x = (index % 2) * PANEL_WIDTH;
      if (index > 0 && index % 2 === 0) y += PANEL_HEIGHT;
      builder.withPanel(timeseries(panel, id++).gridPos({ x, y, w: PANEL_WIDTH, h: PANEL_HEIGHT }));
    });
    y += PANEL_HEIGHT;
  }
  return builder.build();
}

function timeseries(panel: Panel, id: number) {
  const builder = new PanelBuilder()
    .id(id)
    .title(panel.title)
    .description(panel.description)
    .datasource(DATASOURCE)
    .unit(panel.unit)
    .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom).calcs([]))
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending));
  if (!panel.signed) builder.min(0);
  if (panel.stacked) builder.stacking(new StackingConfigBuilder().mode(StackingMode.Normal)).fillOpacity(30);
  panel.queries.forEach((query, index) => {
    builder.withTarget(
      new DataqueryBuilder()
        .refId(String.fromCharCode(65 + index))
        .datasource(DATASOURCE)
        .expr(query.expr)
        .legendFormat(query.legend),
    );
  });
  return builder;
}
