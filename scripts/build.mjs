// `npm run build`: the production build, run as `node dist/api/main.js` and `node dist/operator/main.js`.
// Only production code is compiled (tsconfig.build.json); the files the code reads at run time beside
// itself (SQL migrations, the console's stylesheet and script) are copied next to the output.
//
// `node scripts/build.mjs <project> <outDir>` builds another project the same way: the benchmark's
// site (tsconfig.bench.json), so that it runs as the images run it, compiled and without a loader.
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = new URL('../', import.meta.url);
const resolve = (path) => new URL(path, root);
const [project = 'tsconfig.build.json', outDir = 'dist'] = process.argv.slice(2);

// A stale file of a module that no longer exists must not survive into an image.
rmSync(resolve(outDir), { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', project, '--outDir', outDir], { cwd: root, stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

for (const dir of ['api/db/migrations', 'api/console/assets']) {
  cpSync(resolve(dir), resolve(`${outDir}/${dir}`), { recursive: true });
}
