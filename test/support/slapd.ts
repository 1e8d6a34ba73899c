import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './ports.ts';

// A throwaway OpenLDAP server per test file (../shared/recipes/slapd-for-tests.md):
// laid out by prepare-slapd.sh in a temp dir, listening on two free loopback ports
// (ldap:// and ldaps://), seeded over LDAP so the memberof overlay fills memberOf,
// stopped by pid.

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
export const SLAPD = '/usr/sbin/slapd';
export const BASE = 'dc=example,dc=org';
export const SERVICE_DN = `cn=svc-app,ou=services,${BASE}`;
export const SERVICE_PW = 'svc-pw';

export interface Slapd {
  url: string;
  urlTls: string;
  caFile: string;
  caPem: string;
  dir: string;
  pid: number;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

async function waitUntilAnswering(url: string, child: ChildProcess, log: string, env: NodeJS.ProcessEnv): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`slapd exited (${child.exitCode}):\n${readFileSync(log, 'utf8')}`);
    try {
      await run('ldapsearch', ['-x', '-o', 'nettimeout=1', '-H', url, '-D', `cn=admin,${BASE}`, '-w', 'rootsecret', '-LLL', '-b', BASE, '-s', 'base', 'dn'], { env });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`slapd did not answer:\n${readFileSync(log, 'utf8')}`);
}

export async function startSlapd(opts: { tlsOnly?: boolean } = {}): Promise<Slapd> {
  const dir = mkdtempSync(join(tmpdir(), 'orgbridge-slapd-'));
  await run('bash', [join(HERE, 'prepare-slapd.sh'), dir], { env: { ...process.env, SLAPD_TLS_ONLY: opts.tlsOnly ? '1' : '0' } });
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const portTls = await freePort();
    const url = `ldap://127.0.0.1:${port}`;
    const urlTls = `ldaps://127.0.0.1:${portTls}`;
    const log = join(dir, 'slapd.log');
    const fd = openSync(log, 'a');
    const child = spawn(SLAPD, ['-F', join(dir, 'slapd.d'), '-h', `${url}/ ${urlTls}/`, '-d', 'stats'], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const caFile = join(dir, 'tls', 'ca.pem');
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited(child);
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      // With TLS-only, a clear-text bind is refused: wait and seed over LDAPS.
      const adminUrl = opts.tlsOnly ? urlTls : url;
      const env = { ...process.env, LDAPTLS_CACERT: caFile };
      await waitUntilAnswering(adminUrl, child, log, env);
      await run('ldapadd', ['-x', '-H', adminUrl, '-D', `cn=admin,${BASE}`, '-w', 'rootsecret', '-f', join(dir, 'seed.ldif')], { env });
      return { url, urlTls, caFile, caPem: readFileSync(caFile, 'utf8'), dir, pid: child.pid!, stop };
    } catch (err: unknown) {
      if (child.exitCode !== null && attempt < 3) continue; // a port was taken: try new ones
      await stop();
      throw err;
    }
  }
}
