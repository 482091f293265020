/**
 * The browser the page tests drive: Debian's `chromium` with its CJK fonts (through playwright-core).
 * The test command installs them when missing and the machine can (root, with apt-get); `npm test`
 * uses Chromium when it is there and skips the page tests otherwise. GETIHU_CHROMIUM names another
 * Chromium build.
 */
import { existsSync } from 'node:fs';
import { installDebianPackages, mayInstallDebianPackages } from './debian.js';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';
/** Debian's Noto CJK fonts: without a CJK font the pages' Chinese renders as empty boxes. */
const CJK_FONT = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
const PACKAGES = ['chromium', 'fonts-noto-cjk'];

/** Where the Chromium to drive is, if there is one. */
export function chromiumPath(): string | undefined {
  const named = process.env.GETIHU_CHROMIUM;
  if (named !== undefined && named !== '') return existsSync(named) ? named : undefined;
  return existsSync(DEBIAN_CHROMIUM) ? DEBIAN_CHROMIUM : undefined;
}

/**
 * Chromium's flags for a headless run here: no sandbox (tests run as root in CI), and none of its
 * background connections, which a machine without outside network refuses many at a time.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Installs Debian's chromium and CJK fonts when missing and this process may; answers where Chromium is. */
export function installChromium(log: (line: string) => void = () => undefined): string | undefined {
  const found = chromiumPath();
  if (found !== undefined && existsSync(CJK_FONT)) return found;
  if (!mayInstallDebianPackages()) {
    log(`chromium: ${PACKAGES.join(' and ')} missing, and this process cannot install them (needs root and apt-get)`);
    return found;
  }
  log(`chromium: installing Debian's ${PACKAGES.join(' and ')} (apt-get install)`);
  try {
    installDebianPackages(PACKAGES);
  } catch (err) {
    log(`chromium: ${(err as Error).message}`);
  }
  return chromiumPath();
}
