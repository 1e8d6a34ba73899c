import { accessSync, constants } from 'node:fs';

// Tests that need a server binary skip only on a developer's machine without it; in CI
// (process.env.CI set) they run, and fail if the binary is missing.

export function hasBinary(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** True when the suite should be skipped; says why on stderr. */
export function skipWithout(path: string, what: string, install: string): boolean {
  if (hasBinary(path)) return false;
  if (process.env.CI) return false; // must run in CI: the test itself will fail loudly
  process.stderr.write(`[skip] ${what} not found at ${path}: skipping (install with: ${install}). In CI these tests always run.\n`);
  return true;
}
