// The developer's worker settings for `npm run dev`: every variable the config schema knows
// (worker/config.ts), taken from the process environment over a dotenv file (`.dev.vars`,
// wrangler's convention, parsed with dotenv as wrangler parses it) over the dev defaults.
// Describes where each setting came from by name only: values may be secrets.
import dotenv from 'dotenv';
import { CONFIG_VARIABLES } from '../../worker/config.ts';

export type SettingSource = 'environment' | 'file';

export interface DevSettings {
  /** Non-empty values of schema variables: the environment's where set, else the file's. */
  values: Record<string, string>;
  source: Record<string, SettingSource>;
  /** Worker variables the file sets but the environment overrides. */
  overriddenInFile: string[];
  /** Names in the file that are not worker variables (ignored, like a typo would be). */
  unknownInFile: string[];
}

/**
 * An environment variable that is set, even to the empty string, hides the file's value, so
 * `CORS_ORIGINS= npm run dev` switches off what .dev.vars sets. Empty values are not passed on:
 * the worker's default applies, as if the variable were unset.
 */
export function readDevSettings(
  env: Record<string, string | undefined>,
  fileText: string | undefined,
  names: readonly string[] = CONFIG_VARIABLES,
): DevSettings {
  const file = fileText === undefined ? {} : dotenv.parse(fileText);
  const values: Record<string, string> = {};
  const source: Record<string, SettingSource> = {};
  for (const name of names) {
    const fromEnv = env[name];
    const [value, from] = fromEnv !== undefined ? [fromEnv, 'environment' as const] : [file[name], 'file' as const];
    if (value === undefined || value === '') continue;
    values[name] = value;
    source[name] = from;
  }
  const known = new Set(names);
  return {
    values,
    source,
    overriddenInFile: Object.keys(file).filter((k) => known.has(k) && env[k] !== undefined),
    unknownInFile: Object.keys(file).filter((k) => !known.has(k)),
  };
}

/**
 * What the worker gets: dev defaults, overridden by the developer's settings, overridden by the
 * local services' variables (DATABASE_URL, S3_*, ...), which were started from those settings.
 */
export function workerVars(
  defaults: Record<string, string>,
  settings: DevSettings,
  services: Record<string, string>,
): Record<string, string> {
  return { ...defaults, ...settings.values, ...services };
}

/** The S3 service to use instead of the local one: only when all four are set. `partial` names what is set when some are missing. */
export function externalS3(values: Record<string, string>):
  | { s3: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string; region?: string }; partial?: undefined }
  | { s3?: undefined; partial: string[] } {
  const { S3_ENDPOINT: endpoint, S3_BUCKET: bucket, S3_ACCESS_KEY_ID: accessKeyId, S3_SECRET_ACCESS_KEY: secretAccessKey } = values;
  if (endpoint && bucket && accessKeyId && secretAccessKey) {
    return { s3: { endpoint, bucket, accessKeyId, secretAccessKey, region: values.S3_REGION } };
  }
  return { partial: ['S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'].filter((k) => values[k]) };
}

/** Startup lines naming the variables taken from each place (never values). */
export function describeSettings(settings: DevSettings, fileLabel: string, fileRead: boolean): string[] {
  const from = (s: SettingSource) => Object.keys(settings.values).filter((k) => settings.source[k] === s);
  const list = (names: string[]) => (names.length === 0 ? 'no worker variables' : names.join(', '));
  const lines = [
    fileRead ? `  ${fileLabel}: read (${list(from('file'))})` : `  ${fileLabel}: not found (optional)`,
    `  environment: ${list(from('environment'))}`,
  ];
  if (settings.overriddenInFile.length > 0) {
    lines.push(`  overridden by the environment: ${settings.overriddenInFile.join(', ')}`);
  }
  if (settings.unknownInFile.length > 0) {
    lines.push(`  ignored in ${fileLabel} (not worker variables): ${settings.unknownInFile.join(', ')}`);
  }
  return lines;
}
