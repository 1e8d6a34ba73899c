import type { EmailInput, PersonInput } from '../../../domain/people.ts';
import { URN } from '../../constants.ts';
import { invalidValue } from '../../errors.ts';

// A SCIM User representation ⇄ what the directory stores: person columns, the person's
// profile (what has no column), and the membership's grants in this organization.

export interface TeamRoleInput {
  team: string;
  role: string;
}

/** A registry role as SCIM writes it: the registry by name, in this organization. */
export interface RegistryRoleInput {
  registry: string;
  role: string;
}

export interface UserState {
  person: PersonInput;
  externalId: string | null;
  active: boolean;
  orgRole: string | undefined;
  modelsSeat: string | undefined;
  weaveAccess: string | undefined;
  teamRoles: TeamRoleInput[] | undefined;
  registryRoles: RegistryRoleInput[] | undefined;
}

type Obj = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const PROFILE_LISTS = ['phoneNumbers', 'ims', 'photos', 'addresses', 'entitlements', 'roles', 'x509Certificates'] as const;

function emailsOf(v: unknown): EmailInput[] {
  if (!Array.isArray(v)) return [];
  return v.map((e: Obj, i) => {
    if (typeof e?.value !== 'string' || !e.value) throw invalidValue(`emails[${i}].value is required`);
    return { value: e.value, display: str(e.display), type: str(e.type), primary: e.primary === true };
  });
}

/**
 * Reads a canonical SCIM User. `baseProfile` is the person's stored profile: keys that
 * are not SCIM's (other doors may keep data there) are carried over untouched.
 */
export function userStateOf(res: Obj, baseProfile: Obj = {}): UserState {
  if (typeof res.userName !== 'string' || !res.userName.trim()) throw invalidValue('userName is required');
  const name = (res.name ?? {}) as Obj;
  const scim: Obj = {};
  if (str(name.formatted)) scim.name = { formatted: name.formatted };
  if (str(res.profileUrl)) scim.profileUrl = res.profileUrl;
  if (str(res.userType)) scim.userType = res.userType;
  for (const k of PROFILE_LISTS) if (Array.isArray(res[k]) && (res[k] as unknown[]).length) scim[k] = res[k];
  const enterprise = res[URN.enterpriseUser] as Obj | undefined;
  const profile: Obj = { ...baseProfile };
  delete profile.scim;
  delete profile.enterprise;
  if (Object.keys(scim).length) profile.scim = scim;
  const ent = enterprise ? Object.fromEntries(Object.entries(enterprise).filter(([, v]) => v !== null && v !== undefined)) : {};
  if (Object.keys(ent).length) profile.enterprise = ent;

  const ext = (res[URN.orgbridgeUser] ?? {}) as Obj;
  const teamRoles = Array.isArray(ext.teamRoles)
    ? (ext.teamRoles as (Obj | null)[]).map((el, i) => {
        const t = el ?? {}; // a null element names nothing: refused below, like one without team
        const team = str(t.team) ?? str(t.teamId);
        if (!team || !str(t.role)) throw invalidValue(`teamRoles[${i}] needs team and role`);
        return { team, role: t.role as string };
      })
    : undefined;
  const registryRoles = Array.isArray(ext.registryRoles)
    ? (ext.registryRoles as (Obj | null)[]).map((el, i) => {
        const r = el ?? {};
        const registry = str(r.registry);
        if (!registry || !str(r.role)) throw invalidValue(`registryRoles[${i}] needs registry and role`);
        return { registry, role: r.role as string };
      })
    : undefined;
  return {
    person: {
      userName: res.userName,
      displayName: str(res.displayName),
      givenName: str(name.givenName),
      familyName: str(name.familyName),
      middleName: str(name.middleName),
      honorificPrefix: str(name.honorificPrefix),
      honorificSuffix: str(name.honorificSuffix),
      nickName: str(res.nickName),
      title: str(res.title),
      locale: str(res.locale),
      timezone: str(res.timezone),
      preferredLanguage: str(res.preferredLanguage),
      emails: emailsOf(res.emails),
      profile,
    },
    externalId: str(res.externalId),
    active: res.active !== false,
    orgRole: str(ext.organizationRole) ?? undefined,
    modelsSeat: str(ext.modelsSeat) ?? undefined,
    weaveAccess: str(ext.weaveAccess) ?? undefined,
    teamRoles,
    registryRoles,
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The person fields that differ, as an updatePerson patch. */
export function personChanges(before: PersonInput, after: PersonInput): Partial<PersonInput> {
  const out: Partial<PersonInput> = {};
  for (const k of Object.keys(after) as (keyof PersonInput)[]) {
    if (!same(before[k] ?? null, after[k] ?? null)) (out as Obj)[k] = after[k] ?? null;
  }
  if (out.emails) out.email = null; // primary email follows the list (people.ts picks it)
  if (out.emails && !out.emails.length) out.email = null;
  return out;
}
