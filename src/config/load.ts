import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, readEnv } from './env.ts';
import { configSchema, type Config } from './schema.ts';

export { ConfigError };

const DEFAULTS_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'config', 'default.json');

function readJson(file: string, what: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err: unknown) {
    throw new ConfigError(`${what}: cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (err: unknown) {
    throw new ConfigError(`${what}: ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge where arrays and scalars replace, objects merge. */
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? merge(out[k] as Record<string, unknown>, v) : v;
  }
  return out;
}

/**
 * Loads the configuration once at start-up: defaults, then CONFIG_FILE, then the
 * environment. Throws ConfigError naming the key (or the variable) and what was expected.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  let raw = readJson(DEFAULTS_FILE, 'defaults');
  if (env.CONFIG_FILE) raw = merge(raw, readJson(env.CONFIG_FILE, 'CONFIG_FILE'));
  const overlay = readEnv(env);
  raw = merge(raw, overlay.values);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = issue.path.join('.');
      // An element of a list (ldap.groupAllowList.1) came from the list's variable.
      const path = [...issue.path];
      while (path.length > 1 && typeof path[path.length - 1] === 'number') path.pop();
      const source = overlay.sources.get(key) ?? overlay.sources.get(path.join('.'));
      return `${source ? `${source} (${key})` : key || '(root)'}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return parsed.data;
}
