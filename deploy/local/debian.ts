/**
 * Debian's packages for what the tests run on this machine (PostgreSQL, Chromium and its fonts),
 * installed with apt-get by the test command when missing. Only root may install them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Whether this process may install Debian packages: root, on a machine with apt-get. */
export function mayInstallDebianPackages(): boolean {
  return process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
}

/**
 * Installs `packages` with apt-get; a machine without package lists yet gets them first.
 * @throws Error when apt-get cannot install them
 */
export function installDebianPackages(packages: readonly string[]): void {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { env, stdio: 'inherit' });
  if (install().status === 0) return;
  spawnSync('apt-get', ['update', '-qq'], { env, stdio: 'inherit' });
  const r = install();
  if (r.status !== 0) throw new Error(`apt-get install ${packages.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})`);
}
