import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

// PGlite is one process's database: two processes opening the same directory would
// corrupt it. A pid file guards the directory; a stale one (dead pid) is taken over.

export class EmbeddedDbBusyError extends Error {
  override name = 'EmbeddedDbBusyError';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err: unknown) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock on dir; returns the function that releases it. */
export function lockEmbeddedDir(dir: string): () => void {
  const file = join(dir, 'orgbridge.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        rmSync(file, { force: true });
      };
      process.once('exit', release);
      return release;
    } catch (err: unknown) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new EmbeddedDbBusyError(
          `the embedded database in ${dir} is in use by another orgbridge process (pid ${pid}); stop it first, or set DATABASE_URL to share a PostgreSQL database`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new EmbeddedDbBusyError(`could not lock the embedded database in ${dir}`);
}
