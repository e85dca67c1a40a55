// `npm run images [-- --force] [-- --refresh-base]`: builds the api and operator images with podman
// (no Docker daemon) and prints their names, sizes and the runtime base's packages.
import { ensureImages } from './build.js';

const args = new Set(process.argv.slice(2));
const images = await ensureImages({ force: args.has('--force'), refreshBase: args.has('--refresh-base') });
const megabytes = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;
console.log(`crashdesk images ${images.version}:`);
console.log(`  ${images.api.name}  ${megabytes(images.api.sizeBytes)}`);
console.log(`  ${images.operator.name}  ${megabytes(images.operator.sizeBytes)}`);
console.log(`runtime base packages: ${images.runtimePackages.join(', ')}`);
