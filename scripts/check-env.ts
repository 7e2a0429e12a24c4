// `npm run check-env [file]`: checks a dotenv file (default .env, else .dev.vars, else the process
// environment), read with dotenv as wrangler reads it, for file traps, the production security
// profile and worker config problems.
// Prints line numbers and variable names only, never values. Exit 0 clean, 1 problems, 2 unreadable.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../worker/config.ts';
import { analyzeEnvFile, type EnvFileProblem } from './lib/env-file.ts';
import { isProductionEnvironment, productionProblems } from '../worker/security/production-profile.ts';

export interface EnvReport {
  /** Whether dotenv text was checked (file traps apply) or an already-parsed environment. */
  fromFile: boolean;
  fileProblems: EnvFileProblem[];
  /** True when ENVIRONMENT is production or unset (production is the default). */
  production: boolean;
  productionProblems: string[];
  /** parseConfig problems not already listed under productionProblems. */
  configProblems: string[];
  problemCount: number;
}

export interface CheckEnvResult {
  exitCode: 0 | 1 | 2;
  output: string;
}

const USAGE = 'usage: npm run check-env [file]   (default: .env, else .dev.vars, else the process environment)';

/** Checks dotenv text (a file's contents) or an already-parsed environment. */
export function checkEnv(input: string | Record<string, string | undefined>): EnvReport {
  const fromFile = typeof input === 'string';
  const { values: env, problems: fileProblems } =
    typeof input === 'string' ? analyzeEnvFile(input) : { values: definedOnly(input), problems: [] };
  const production = isProductionEnvironment(env);
  const profile = productionProblems(env);
  let configProblems: string[];
  try {
    configProblems = parseConfig(env).problems.filter((p) => !profile.includes(p));
  } catch {
    configProblems = ['worker configuration could not be parsed'];
  }
  return {
    fromFile,
    fileProblems,
    production,
    productionProblems: profile,
    configProblems,
    problemCount: fileProblems.length + profile.length + configProblems.length,
  };
}

export function formatReport(report: EnvReport, source: string): string {
  const out: string[] = [`check-env: ${source}`];
  const section = (title: string, items: string[]) => {
    out.push('', `${title}: ${items.length === 0 ? 'ok' : `${items.length} problem${items.length === 1 ? '' : 's'}`}`);
    for (const item of items) out.push(`  - ${item}`);
  };
  if (report.fromFile) {
    section(
      'File',
      report.fileProblems.map((p) => `line ${p.line}${p.variable ? ` ${p.variable}` : ''}: ${p.problem}`),
    );
  }
  if (report.production) section('Production profile', report.productionProblems);
  else out.push('', 'Production profile: skipped (ENVIRONMENT is development or test)');
  section('Worker config', report.configProblems);
  out.push(
    '',
    report.problemCount === 0
      ? 'No problems found.'
      : `${report.problemCount} problem${report.problemCount === 1 ? '' : 's'} found.`,
  );
  return `${out.join('\n')}\n`;
}

/** The command line: picks the file, reads it and formats the report (no process.exit, so it is testable). */
export function runCheckEnv(
  args: readonly string[],
  cwd: string = process.cwd(),
  env: Record<string, string | undefined> = process.env,
): CheckEnvResult {
  if (args.length > 1 || args[0]?.startsWith('-')) {
    const help = args[0] === '-h' || args[0] === '--help';
    return { exitCode: help ? 0 : 2, output: `${USAGE}\n` };
  }
  const file = args[0] ?? ['.env', '.dev.vars'].find((name) => existsSync(path.resolve(cwd, name)));
  if (file === undefined) {
    const report = checkEnv(env);
    return { exitCode: report.problemCount === 0 ? 0 : 1, output: formatReport(report, 'process environment') };
  }
  let text: string;
  try {
    text = readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    return { exitCode: 2, output: `check-env: cannot read ${file} (${code})\n` };
  }
  const report = checkEnv(text);
  return { exitCode: report.problemCount === 0 ? 0 : 1, output: formatReport(report, file) };
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const result = runCheckEnv(process.argv.slice(2));
  (result.exitCode === 2 ? process.stderr : process.stdout).write(result.output);
  process.exitCode = result.exitCode;
}
