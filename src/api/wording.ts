import type { z } from 'zod';

// Refusals in the words of the dashboard's forms. zod says "emailOrUserName: Too small:
// expected string to have >=1 characters"; a person needs "Enter an email address or
// username." Every field the admin API validates is named here once, as its form labels it
// (`label`) and as a sentence asks for it (`what`). Rendered in one place: errors.ts.

export interface Field {
  /** The form's label, for "… is at most N characters". */
  label: string;
  /** What to enter, for "Enter …". */
  what: string;
}

const FIELDS: Record<string, Field> = {
  emailOrUserName: { label: 'Email or username', what: 'an email address or username' },
  user: { label: 'Email or username', what: 'the email address or username of a member' },
  email: { label: 'Email', what: 'an email address' },
  name: { label: 'Name', what: 'a name' },
  description: { label: 'Description', what: 'a description' },
  label: { label: 'Label', what: 'a label' },
  domain: { label: 'Domain', what: 'a domain name' },
  groupName: { label: 'Group name', what: 'the group name' },
  source: { label: 'Source', what: 'where the group comes from' },
  storageType: { label: 'Storage type', what: 'a storage type' },
  orgRole: { label: 'Organization role', what: 'an organization role' },
  modelsSeat: { label: 'Models seat', what: 'a Models seat' },
  weaveAccess: { label: 'Weave access', what: 'a Weave access level' },
  role: { label: 'Role', what: 'a role' },
  teamRole: { label: 'Team role', what: 'a team role' },
  teamId: { label: 'Team', what: 'a team' },
  teamIds: { label: 'Teams', what: 'teams' },
  customRoleId: { label: 'Custom role', what: 'a custom role' },
  userId: { label: 'User', what: 'a user' },
  base: { label: 'Based on', what: 'the role to base it on' },
  permissions: { label: 'Permissions', what: 'permissions' },
  privacy: { label: 'Default project privacy', what: 'a default project privacy' },
  fullSeats: { label: 'Full seats', what: 'a number of full seats' },
  viewerSeats: { label: 'Viewer seats', what: 'a number of viewer seats' },
  defaultModelsSeat: { label: 'Default Models seat', what: 'a default Models seat' },
  seatOverflow: { label: 'When seats run out', what: 'what happens when seats run out' },
  q: { label: 'Search', what: 'a search' },
  status: { label: 'Status', what: 'a status' },
  page: { label: 'Page', what: 'a page number' },
  pageSize: { label: 'Page size', what: 'a page size' },
  period: { label: 'Period', what: 'a period' },
  actor: { label: 'Person', what: 'a person' },
  target: { label: 'Target', what: 'a target' },
  action: { label: 'Action', what: 'an action' },
  outcome: { label: 'Outcome', what: 'an outcome' },
  from: { label: 'From', what: 'a start date' },
  to: { label: 'To', what: 'an end date' },
  cursor: { label: 'Page', what: 'a page' },
  limit: { label: 'Page size', what: 'a page size' },
  provider: { label: 'Provider', what: 'a provider' },
  externalId: { label: 'External id', what: 'an external id' },
};

/** The last named key of a path ("teamIds.3" → "teamIds"). */
function fieldOf(path: readonly PropertyKey[], own: Labels): { key: string; field: Field } | null {
  const key = [...path].reverse().find((p): p is string => typeof p === 'string');
  if (key === undefined) return null;
  return { key, field: own[key] ?? FIELDS[key] ?? { label: key, what: key } };
}

/** A route's own labels where a shared key means something narrower there ("name" → "Team name"). */
export type Labels = Readonly<Record<string, Field>>;

/** A domain message ("team name must be 1 to 128 characters") as a sentence. */
export const asSentence = (s: string) => (/[.!?]$/.test(s) ? s : `${s}.`).replace(/^./, (c) => c.toUpperCase());
const list = (vs: readonly unknown[]) => vs.map(String).join(', ');

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

/** One zod issue as a sentence naming the field as the form does. `input` is what was sent. */
export function sayIssue(issue: z.core.$ZodIssue, input: unknown, own: Labels = {}): string {
  const at = fieldOf(issue.path, own);
  const label = at?.field.label ?? 'The request';
  const what = at?.field.what ?? 'a value';
  const got = valueAt(input, issue.path);
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? `Enter ${what}.` : `${label} needs at least ${issue.minimum} characters.`;
      if (issue.origin === 'array') return `Choose at least ${issue.minimum} ${at?.field.what ?? 'items'}.`;
      return `${label} must be at least ${issue.minimum}.`;
    case 'too_big':
      if (issue.origin === 'string') {
        const n = typeof got === 'string' ? got.trim().length : undefined;
        return `${label} can be at most ${issue.maximum} characters${n === undefined ? '' : ` (this one has ${n})`}.`;
      }
      if (issue.origin === 'array') return `${label}: at most ${issue.maximum} at a time.`;
      return `${label} can be at most ${issue.maximum}.`;
    case 'invalid_type':
      if (got === undefined) return `Enter ${what}.`;
      if (issue.expected === 'number' || issue.expected === 'int') return `${label} must be a whole number.`;
      if (issue.expected === 'boolean') return `${label} must be on or off (true or false).`;
      return `${label} must be ${issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}.`;
    case 'invalid_value':
      return `${label} must be one of: ${list(issue.values)}.`;
    case 'invalid_format':
      if (issue.format === 'uuid' || issue.format === 'guid') return `${label}: “${String(got)}” is not an id this organization has.`;
      if (issue.format === 'datetime') return `${label} must be a date and time, like 2026-12-07T09:00:00Z.`;
      if (issue.format === 'regex') return `${label} must be ${issue.message}.`;
      return `${label} is not in the expected form.`;
    case 'unrecognized_keys':
      return `Unknown ${issue.keys.length === 1 ? 'field' : 'fields'}: ${list(issue.keys)}.`;
    case 'invalid_union':
      return at ? `${label} is not one of the accepted forms.` : 'Give one of the accepted forms of this request.';
    case 'not_multiple_of':
      return `${label} must be a multiple of ${issue.divisor}.`;
    default:
      return asSentence(issue.message);
  }
}

/** "member", "team member", … as a person reads a miss. `ref` is what they typed, when known. */
export function sayNotFound(what: string, ref?: string): string {
  if (what === 'member' && ref !== undefined) return `No member with the email or username “${ref}”.`;
  if (what === 'route') return 'No such address in the admin API.';
  return `No such ${what}.`;
}
