import { createRequire } from 'node:module';
import path from 'node:path';
import fs from 'node:fs';

/**
 * `npm ci` on any Node the package admits (package.json `engines`) installs no package that wants a newer Node (no
 * EBADENGINE): every locked package's own `engines.node` must admit the oldest Node ours does. Judged by npm's own
 * range library (semver, in the lock through the toolchain).
 */
const ROOT = path.resolve(__dirname, '..', '..');
const semver = createRequire(__filename)('semver') as {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
};

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
}

it('every package in package-lock.json runs on the oldest Node that package.json engines admits', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockedPackage> };
  const oldest = semver.minVersion(manifest.engines.node)!.version;
  const tooNew = Object.entries(lock.packages)
    .filter(([, locked]) => !Array.isArray(locked.engines) && locked.engines?.node && !semver.satisfies(oldest, locked.engines.node))
    .map(([where, locked]) => `${where}@${locked.version} needs node ${(locked.engines as { node: string }).node}`);
  expect({ oldest, tooNew }).toEqual({ oldest, tooNew: [] });
});
