// Which audit actions are directory changes, and the event type each becomes (issue 16).
// The audit row is the one thing every mutation writes in its transaction
// (src/domain/audit.ts), so deriving events from it means no mutation path can forget
// its event. Actions not listed here (sessions, tokens, invitations, settings) are
// audited but are not directory changes a subscriber acts on.

export const EVENT_OF_ACTION: Readonly<Record<string, string>> = {
  'member.add': 'member.provisioned',
  'member.link': 'member.linked',
  'member.update': 'member.updated',
  'member.external_id': 'member.updated',
  'member.activate': 'member.updated',
  'member.deactivate': 'member.deactivated',
  'member.reactivate': 'member.reactivated',
  'member.remove': 'member.removed',
  'member.role': 'member.role_changed',
  'member.seat': 'member.seat_changed',
  'member.weave_access': 'member.weave_access_changed',
  'team.create': 'team.created',
  'team.rename': 'team.renamed',
  'team.delete': 'team.deleted',
  'team.members.add': 'team.members_added',
  'team.members.remove': 'team.members_removed',
  'team.members.role': 'team.member_role_changed',
  'custom_role.create': 'custom_role.created',
  'custom_role.update': 'custom_role.updated',
  'custom_role.delete': 'custom_role.deleted',
  'org.domain.verify': 'domain.verified',
};

/** Refusals become events by the rule that refused them; only the last-admin rule's are. */
export const EVENT_OF_REFUSAL: Readonly<Record<string, string>> = {
  last_admin: 'refusal.last_admin',
};

export const EVENT_TYPES: readonly string[] = [...new Set([...Object.values(EVENT_OF_ACTION), ...Object.values(EVENT_OF_REFUSAL)])].sort();

/** The event an audit row stands for, or null when it is not a directory change. */
export function eventTypeOf(action: string, outcome: 'ok' | 'refused', rule?: string | null): string | null {
  if (outcome === 'refused') return (rule && EVENT_OF_REFUSAL[rule]) || null;
  return EVENT_OF_ACTION[action] ?? null;
}
