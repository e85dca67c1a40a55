// `npm run testbin`: builds the test control plane binaries, helm and KEDA once (or finds them in the
// cache) and prints where they are.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { directoryMegabytes, ensureTestbin } from './testbin.js';

const testbin = await ensureTestbin();
let megabytes = 0;
console.log(`Kubernetes ${testbin.kubernetesVersion}, helm ${testbin.helmVersion} and KEDA ${testbin.kedaVersion} test binaries:`);
for (const dir of testbin.dirs) {
  megabytes += await directoryMegabytes(dir);
  for (const name of (await readdir(join(dir, 'bin'))).sort()) console.log(`  ${join(dir, 'bin', name)}`);
}
console.log(`${megabytes} MB in all`);
