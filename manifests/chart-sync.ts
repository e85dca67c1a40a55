// `npm run chart:sync`: rewrites the chart's generated files (see chart-files.ts) and removes
// generated files whose source is gone.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CHART_DIR, chartFiles } from './chart-files.js';

const files = await chartFiles();
for (const [path, content] of files) {
  await mkdir(dirname(join(CHART_DIR, path)), { recursive: true });
  await writeFile(join(CHART_DIR, path), content);
}
for (const dir of ['crds', 'files/rbac', 'files/vault', 'files/dashboards']) {
  for (const name of await readdir(join(CHART_DIR, dir))) {
    if (!files.has(`${dir}/${name}`)) await rm(join(CHART_DIR, dir, name));
  }
}
console.log(`chart:sync: ${files.size} files in ${CHART_DIR}`);
