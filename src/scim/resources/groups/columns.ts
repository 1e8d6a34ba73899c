import type { ColumnMap } from '../../filter/sql.ts';

// Filterable/sortable Group attributes → SQL over `teams t`.
export const GROUP_COLUMNS: ColumnMap = {
  id: { kind: 'scalar', expr: 't.id', type: 'uuid' },
  externalId: { kind: 'scalar', expr: 't.external_id', type: 'text', caseExact: true },
  displayName: { kind: 'scalar', expr: 't.name_key', type: 'key' },
  members: {
    kind: 'multi',
    exists: (c) => `exists (select 1 from team_members tm join users mu on mu.id = tm.user_id where tm.team_id = t.id and ${c})`,
    subs: {
      value: { kind: 'scalar', expr: 'tm.user_id', type: 'uuid' },
      display: { kind: 'scalar', expr: 'mu.user_name_key', type: 'key' },
    },
  },
  'meta.created': { kind: 'scalar', expr: 't.created_at', type: 'timestamp' },
  'meta.lastModified': { kind: 'scalar', expr: 't.updated_at', type: 'timestamp' },
};
