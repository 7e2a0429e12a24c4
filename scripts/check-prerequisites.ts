// `npm test`'s prerequisites beyond Node.js: the programs the SIP agent's conversions, the README
// walk-through test and the browser tests call. One line per missing program, saying how to install it; exit 1 if any is missing.
import { spawnSync } from 'node:child_process';

const REQUIRED: Array<{ command: string; args: string[]; what: string; debian: string; brew: string }> = [
  { command: 'gs', args: ['--version'], what: 'Ghostscript (PDF -> TIFF-F for the SIP agent)', debian: 'ghostscript', brew: 'ghostscript' },
  { command: 'tiff2pdf', args: ['-v'], what: 'libtiff-tools (received TIFF -> PDF)', debian: 'libtiff-tools', brew: 'libtiff' },
  { command: 'curl', args: ['--version'], what: 'curl (the README walk-through)', debian: 'curl', brew: 'curl' },
  { command: 'jq', args: ['--version'], what: 'jq (the README walk-through)', debian: 'jq', brew: 'jq' },
  { command: process.env.CHROMIUM_PATH || 'chromium', args: ['--version'], what: 'Chromium (the browser tests of /docs and /console; or set CHROMIUM_PATH)', debian: 'chromium', brew: '--cask chromium' },
];

/** The programs that cannot be started from PATH. */
export function missingPrerequisites(path = process.env.PATH ?? ''): typeof REQUIRED {
  return REQUIRED.filter(({ command, args }) => {
    const r = spawnSync(command, args, { env: { ...process.env, PATH: path }, stdio: 'ignore' });
    return r.error !== undefined;
  });
}

if (import.meta.main) {
  const missing = missingPrerequisites();
  for (const m of missing) {
    console.error(`missing ${m.command}: ${m.what} — install with \`sudo apt-get install ${m.debian}\` (macOS: \`brew install ${m.brew}\`)`);
  }
  if (missing.length > 0) {
    const all = missing.map((m) => m.debian).join(' ');
    console.error(`npm test needs them: sudo apt-get install ${all}`);
    process.exit(1);
  }
}
