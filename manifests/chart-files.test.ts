import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHART_DIR, chartFiles } from './chart-files.js';

describe('the Helm chart', () => {
  it('holds the CRD, RBAC rules, alert rules and dashboards exactly as their sources define them (npm run chart:sync)', async () => {
    for (const [path, expected] of await chartFiles()) {
      const actual = await readFile(join(CHART_DIR, path), 'utf8').catch(() => '(missing)');
      expect(actual, `charts/crashdesk/${path} differs from its source: run npm run chart:sync`).toBe(expected);
    }
  });

  it('holds no generated file whose source is gone', async () => {
    const expected = new Set((await chartFiles()).keys());
    for (const dir of ['crds', 'files/rbac', 'files/dashboards']) {
      for (const name of await readdir(join(CHART_DIR, dir))) expect(expected, `charts/crashdesk/${dir}/${name}`).toContain(`${dir}/${name}`);
    }
  });
});
