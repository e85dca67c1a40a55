import { ApiObject, App, Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';
import { apiDeployment, apiService, type ApiSiteProps } from './api-site.js';
import { OperatorChart } from './operator.js';

/** One site's api, for a cluster run without the operator. */
export class ApiSiteChart extends Chart {
  constructor(scope: Construct, id: string, props: ApiSiteProps & ChartProps) {
    super(scope, id, props);
    new ApiObject(this, 'deployment', apiDeployment(props));
    new ApiObject(this, 'service', apiService(props));
  }
}

// Only synthesise when run as the cdk8s app, not when a test imports the chart.
if (import.meta.url === `file://${process.argv[1]}`) {
  const app = new App({ outdir: process.env.CDK8S_OUTDIR ?? 'cdk8s.out' });
  const image = process.env.CRASHDESK_API_IMAGE ?? 'ghcr.io/crashdesk/api:latest';
  const operatorImage = process.env.CRASHDESK_OPERATOR_IMAGE ?? 'ghcr.io/crashdesk/operator:latest';
  // The operator: with it, Cities replace the per-site charts below.
  new OperatorChart(app, 'operator', {
    operatorNamespace: 'crashdesk-system',
    image: operatorImage,
    vault: { address: process.env.VAULT_ADDR ?? 'https://vault.vault.svc:8200' },
  });
  const sites = ['hq', 'london', 'manchester'];
  sites.forEach(
    (site, siteNumber) =>
      new ApiSiteChart(app, `api-${site}`, {
        namespace: 'crashdesk',
        site,
        siteNumber,
        image,
        replicas: 2,
        databaseSecret: `crashdesk-${site}-db`,
        adminSecret: `crashdesk-${site}-admin`,
        blindIndexSecret: 'crashdesk-blind-index',
        internalTlsSecret: `crashdesk-api-${site}-internal-tls`,
        vault: { address: process.env.VAULT_ADDR ?? 'http://vault.vault.svc:8200', role: `crashdesk-${site}` },
      }),
  );
  app.synth();
}
