import { readFileSync } from 'node:fs';
import type { Request } from 'express';
import LdapStrategy, { type StrategyOptions, type VerifyDone } from 'passport-ldapauth';
import { ConfigError } from '../../config/env.ts';
import type { LdapConfig } from '../../config/schema.ts';
import { assertedEmail } from '../../domain/provisioning/provider-trust.ts';
import { canonicalDn } from '../../lib/dn.ts';
import type { Logger } from '../../lib/logger.ts';
import type { SignInIdentity } from '../identity.ts';
import { ldapTrust } from '../trust.ts';
import { entryId, type RawEntry } from './entry-id.ts';
import { userFilter } from './input.ts';

// LDAP sign-in through passport-ldapauth: bind as the service account, search the
// person with an RFC 4515-escaped filter, bind as them with their password, read email,
// name and groups from the entry. The person is known by LDAP_ID_ATTRIBUTE (entry-id.ts);
// their groups are DNs, compared whole (src/lib/dn.ts).
//
// StartTLS is refused at start-up. ldapauth-fork (under passport-ldapauth) queues the
// service-account bind — and the person's bind — before its StartTLS exchange has
// finished, so the passwords can cross the network in clear text (verified on these
// machines, ../shared/recipes/slapd-for-tests.md §8). LDAPS (ldaps://) puts TLS up before
// the first byte of LDAP and is what we support.

export const STARTTLS_REFUSED =
  'LDAP_STARTTLS (ldap.startTls) is not supported: passport-ldapauth sends the bind before StartTLS has finished, ' +
  'so the bind password could cross the network in clear text. Use an ldaps:// URL in LDAP_URL, with LDAP_CA_FILE for a private CA.';

/** Failures from the verify step that are refusals, not errors. */
export interface LdapRefusal {
  code: 'not_allowed' | 'no_directory_id';
  message: string;
}

export interface LdapDirectory {
  readonly strategyName: string;
  readonly strategy: LdapStrategy;
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}

/** Checks what can be checked without the network; throws ConfigError naming the variable. */
export function checkLdapConfig(cfg: LdapConfig, logger: Logger): Buffer | undefined {
  if (cfg.startTls) throw new ConfigError(STARTTLS_REFUSED);
  let ca: Buffer | undefined;
  if (cfg.caFile) {
    try {
      ca = readFileSync(cfg.caFile);
    } catch (err: unknown) {
      throw new ConfigError(`LDAP_CA_FILE (ldap.caFile): cannot read ${cfg.caFile}: ${(err as Error).message}`);
    }
    if (!ca.toString('utf8').includes('-----BEGIN CERTIFICATE-----')) {
      throw new ConfigError(`LDAP_CA_FILE (ldap.caFile): ${cfg.caFile} holds no PEM certificate`);
    }
    if (cfg.url.startsWith('ldap://')) {
      throw new ConfigError('LDAP_CA_FILE (ldap.caFile) is set but LDAP_URL is ldap://: use ldaps:// so that the CA is used');
    }
  }
  if (cfg.url.startsWith('ldap://') && !isLoopback(cfg.url)) {
    logger.warn({ url: cfg.url }, 'LDAP_URL is plain ldap://: passwords cross the network unencrypted; use ldaps://');
  }
  return ca;
}

function values(entry: Record<string, unknown>, attribute: string): string[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  const v = key === undefined ? undefined : entry[key];
  // One value comes as a string, several as an array, none as no attribute at all.
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/**
 * LDAP_GROUP_ALLOW_LIST: the person must be in one of these groups, compared by whole DN
 * (a same-named group in another OU does not count). The configuration holds DNs only.
 */
export function allowedByGroups(allowList: string[], groupDns: string[]): boolean {
  if (allowList.length === 0) return true;
  const dns = new Set(groupDns.map(canonicalDn).filter((d) => d !== null));
  return allowList.some((entry) => {
    const dn = canonicalDn(entry);
    return dn !== null && dns.has(dn);
  });
}

export function createLdapDirectory(cfg: LdapConfig, logger: Logger): LdapDirectory {
  const ca = checkLdapConfig(cfg, logger);
  const provider = `ldap:${cfg.url}`;
  const trust = ldapTrust(cfg);

  const options = (req: Request, cb: (err: unknown, options?: StrategyOptions) => void): void => {
    const username = String((req.body as { username?: unknown }).username ?? '');
    cb(null, {
      server: {
        url: cfg.url,
        bindDN: cfg.bindDn,
        bindCredentials: cfg.bindPassword,
        searchBase: cfg.searchBase,
        // Escaped here (RFC 4515); the template no longer holds {{username}}, so
        // ldapauth-fork's own (lossy) escaping never runs.
        searchFilter: userFilter(cfg.searchFilter, username),
        // The id attribute by name: entryUUID and memberOf are operational, sent only when asked for.
        searchAttributes: ['dn', 'uid', cfg.idAttribute, cfg.attributes.email, cfg.attributes.name, cfg.attributes.groups],
        // The raw bytes too: objectGUID is binary, and ldapjs's text would mangle it.
        includeRaw: true,
        // A fresh object per sign-in: ldapjs writes into the tlsOptions it is given.
        ...(ca ? { tlsOptions: { ca: [ca] } } : {}),
        starttls: false,
        timeout: cfg.timeoutMs,
        connectTimeout: cfg.timeoutMs,
        reconnect: false,
      },
      missingCredentialsStatus: 400,
    });
  };

  const verify = (entry: RawEntry, done: VerifyDone): void => {
    const groups = values(entry, cfg.attributes.groups);
    if (!allowedByGroups(cfg.groupAllowList, groups)) {
      const refusal: LdapRefusal = { code: 'not_allowed', message: 'Your directory account is not in a group allowed to sign in here.' };
      done(null, false, refusal);
      return;
    }
    const externalId = entryId(entry, cfg.idAttribute);
    if (externalId === null) {
      // Never fall back to the DN or the username: a reused one would inherit the
      // previous owner's account. An operator has to look at the directory or at
      // LDAP_ID_ATTRIBUTE, so this is a warning, not an info-level refusal.
      logger.warn({ dn: String(entry.dn), attribute: cfg.idAttribute }, `LDAP sign-in refused: the directory entry has no ${cfg.idAttribute} (LDAP_ID_ATTRIBUTE)`);
      const refusal: LdapRefusal = {
        code: 'no_directory_id',
        message: `Your directory entry has no ${cfg.idAttribute}, which this site needs to recognise you. Ask an administrator to check the directory or LDAP_ID_ATTRIBUTE.`,
      };
      done(null, false, refusal);
      return;
    }
    const identity: SignInIdentity = {
      provider,
      externalId,
      // The directory is the authority for its own mail attribute, within LDAP_DOMAINS.
      email: assertedEmail(trust, values(entry, cfg.attributes.email)[0] ?? null),
      userName: values(entry, 'uid')[0] ?? null,
      displayName: values(entry, cfg.attributes.name)[0] ?? null,
      givenName: values(entry, 'givenName')[0] ?? null,
      familyName: values(entry, 'sn')[0] ?? null,
      // Whole DNs: role groups with source `ldap` name the group's DN.
      groups: cfg.groupSync ? groups : null,
      source: trust.source,
      trust,
      label: 'ldap',
    };
    done(null, identity);
  };

  const strategy = new LdapStrategy(options, verify);
  strategy.name = 'ldap';
  return { strategyName: 'ldap', strategy };
}
