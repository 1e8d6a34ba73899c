// The audit log in words (issue 12 §8): each action as a phrase, and what changed as
// "role: Member → Admin" rather than two JSON blobs. Used by the API's entries and by the
// CSV download alike, so the dashboard and the spreadsheet say the same thing.

export const ACTION_WORDS: Readonly<Record<string, string>> = {
  'account.create': 'Account created',
  'account.profile': 'Profile updated',
  'api_key.create': 'API key created',
  'api_key.revoke': 'API key revoked',
  'custom_role.create': 'Custom role created',
  'custom_role.delete': 'Custom role deleted',
  'custom_role.update': 'Custom role changed',
  'identity.link': 'Sign-in identity linked',
  'identity.unlink': 'Sign-in identity unlinked',
  'instance.setup': 'Deployment set up',
  'invitation.accept': 'Invitation accepted',
  'invitation.create': 'Invited',
  'invitation.expire': 'Invitation expired',
  'invitation.resend': 'Invitation resent (new link)',
  'invitation.revoke': 'Invitation revoked',
  'member.activate': 'User joined',
  'member.add': 'User added',
  'member.deactivate': 'User deactivated',
  'member.external_id': 'External id set',
  'member.link': 'User linked to their account',
  'member.reactivate': 'User reactivated',
  'member.remove': 'User removed',
  'member.role': 'Organization role changed',
  'member.seat': 'Models seat changed',
  'member.weave_access': 'Weave access changed',
  'org.billing_admin': 'Billing admin assigned',
  'org.create': 'Organization created',
  'org.default_team': 'Default team changed',
  'org.domain.claim': 'Domain claimed',
  'org.domain.expire': 'Domain claim expired',
  'org.domain.release': 'Domain released',
  'org.domain.supersede': 'Domain claim superseded',
  'org.domain.verify': 'Domain verified',
  'org.rename': 'Organization renamed',
  'org.seat_license': 'Seat license changed',
  'org.settings': 'Organization settings changed',
  'role_group.create': 'Role group mapped',
  'role_group.delete': 'Role group removed',
  'scim_token.create': 'SCIM token created',
  'scim_token.revoke': 'SCIM token revoked',
  'service_account.create': 'Service account created',
  'service_account.delete': 'Service account deleted',
  'sso.break_glass.create': 'Break-glass link made',
  'sso.break_glass.use': 'Break-glass link used',
  'sso.sign_in': 'Signed in',
  'system_admin.first': 'First system admin',
  'system_admin.grant': 'Made system admin',
  'system_admin.revoke': 'System admin taken away',
  'team.create': 'Team created',
  'team.delete': 'Team deleted',
  'team.external_id': 'Team external id set',
  'team.members.add': 'Added to team',
  'team.members.remove': 'Removed from team',
  'team.members.role': 'Team role changed',
  'team.rename': 'Team renamed',
  'team.settings': 'Team settings changed',
};

/** "member.role" → "Organization role changed"; an action this list lacks is shown as stored. */
export const actionWords = (action: string): string => ACTION_WORDS[action] ?? action;

const FIELD_WORDS: Readonly<Record<string, string>> = {
  orgRole: 'role',
  modelsSeat: 'Models seat',
  weaveAccess: 'Weave access',
  status: 'status',
  customRoleId: 'custom role',
  name: 'name',
  privacy: 'privacy',
  membersCanInvite: 'members may invite',
  domainMatching: 'domain matching',
  autoProvisioning: 'auto-provisioning',
  domainCapture: 'domain capture',
  teamJoinAtSignup: 'team joining at sign-up',
  defaultModelsSeat: 'default seat',
  seatOverflow: 'when seats run out',
  fullSeats: 'full seats',
  viewerSeats: 'viewer seats',
  role: 'team role',
  expiresAt: 'expires',
  invitee: 'invitee',
  teamId: 'default team',
};

const VALUE_WORDS: Readonly<Record<string, string>> = {
  admin: 'Admin', member: 'Member', viewer: 'Viewer', 'view-only': 'View-only', full: 'Full', none: 'None',
  active: 'Active', pending: 'Pending', deactivated: 'Deactivated', true: 'on', false: 'off',
};

function say(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (Array.isArray(v)) return v.length ? v.map(say).join(', ') : '—';
  if (typeof v === 'object') return JSON.stringify(v);
  const s = String(v);
  if (/^\d{4}-\d{2}-\d{2}T/.test(s)) return s.slice(0, 16).replace('T', ' ') + ' UTC';
  return VALUE_WORDS[s] ?? s;
}

const asObject = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
// Ids are shown by name in the target column; as values they say nothing to a person.
const SKIP = new Set(['invitationId', 'accountId', 'userIds', 'teamIds', 'userName', 'id']);

/** What changed, one "field: before → after" per changed field; for a creation, what it was made with. */
export function changeWords(before: unknown, after: unknown): string {
  const b = asObject(before);
  const a = asObject(after);
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => FIELD_WORDS[k] !== undefined && !SKIP.has(k));
  const parts: string[] = [];
  for (const k of keys) {
    const was = JSON.stringify(b[k]);
    const is = JSON.stringify(a[k]);
    if (was === is) continue;
    if (k in b && k in a) parts.push(`${FIELD_WORDS[k]}: ${say(b[k])} → ${say(a[k])}`);
    else if (k in a) {
      // A creation lists what it was made with; empty values say nothing.
      if (a[k] !== null && a[k] !== undefined) parts.push(`${FIELD_WORDS[k]}: ${say(a[k])}`);
    }
    else parts.push(`${FIELD_WORDS[k]} was ${say(b[k])}`);
  }
  return parts.join('; ');
}
