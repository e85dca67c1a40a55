// `npm run testbin`: builds the test control plane binaries once (or finds them in the cache) and
// prints where they are.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { directoryMegabytes, ensureTestbin } from './testbin.js';

const testbin = await ensureTestbin();
const binaries = await readdir(join(testbin.dir, 'bin'));
console.log(`Kubernetes ${testbin.kubernetesVersion} test binaries (${await directoryMegabytes(testbin.dir)} MB):`);
for (const name of binaries.sort()) console.log(`  ${join(testbin.dir, 'bin', name)}`);
