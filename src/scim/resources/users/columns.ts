import { URN } from '../../constants.ts';
import { invalidFilter } from '../../errors.ts';
import type { ColumnMap, ScalarColumn } from '../../filter/sql.ts';

// The whitelist of filterable/sortable User attributes → SQL over
// `memberships m join users u on u.id = m.user_id`.

const text = (expr: string, caseExact?: boolean): ScalarColumn => ({ kind: 'scalar', expr, type: 'text', ...(caseExact !== undefined ? { caseExact } : {}) });
const profile = (...path: string[]) => text(`(u.profile #>> '{${path.join(',')}}')`);
const E = URN.enterpriseUser;
const O = URN.orgbridgeUser;

export const USER_COLUMNS: ColumnMap = {
  id: { kind: 'scalar', expr: 'u.id', type: 'uuid' },
  externalId: text('m.external_id', true),
  userName: { kind: 'scalar', expr: 'u.user_name_key', type: 'key' },
  displayName: text('u.display_name'),
  'name.givenName': text('u.given_name'),
  'name.familyName': text('u.family_name'),
  'name.middleName': text('u.middle_name'),
  'name.honorificPrefix': text('u.honorific_prefix'),
  'name.honorificSuffix': text('u.honorific_suffix'),
  'name.formatted': profile('scim', 'name', 'formatted'),
  nickName: text('u.nick_name'),
  title: text('u.title'),
  locale: text('u.locale'),
  timezone: text('u.timezone'),
  preferredLanguage: text('u.preferred_language'),
  userType: profile('scim', 'userType'),
  active: {
    kind: 'custom',
    compile(op, value) {
      if (op === 'pr') return { sql: 'true', bindings: [] };
      const v = typeof value === 'string' && /^(true|false)$/i.test(value) ? value.toLowerCase() === 'true' : value;
      if (typeof v !== 'boolean' || (op !== 'eq' && op !== 'ne')) throw invalidFilter('active compares with eq/ne true/false');
      const active = op === 'eq' ? v : !v;
      return { sql: active ? "m.status <> 'deactivated'" : "m.status = 'deactivated'", bindings: [] };
    },
    sortExpr: "(m.status <> 'deactivated')",
  },
  emails: {
    kind: 'multi',
    exists: (c) => `exists (select 1 from user_emails e where e.user_id = u.id and ${c})`,
    subs: {
      value: { kind: 'scalar', expr: 'e.value_key', type: 'key' },
      type: text('e.type'),
      primary: { kind: 'scalar', expr: 'e."primary"', type: 'boolean' },
      display: text('e.display'),
    },
    sortExpr: 'u.email_key',
  },
  groups: {
    kind: 'multi',
    exists: (c) => `exists (select 1 from team_members gm join teams g on g.id = gm.team_id where gm.user_id = u.id and g.org_id = m.org_id and ${c})`,
    subs: {
      value: { kind: 'scalar', expr: 'gm.team_id', type: 'uuid' },
      display: { kind: 'scalar', expr: 'g.name_key', type: 'key' },
    },
  },
  'meta.created': { kind: 'scalar', expr: 'm.created_at', type: 'timestamp' },
  'meta.lastModified': { kind: 'scalar', expr: 'greatest(m.updated_at, u.updated_at)', type: 'timestamp' },
  [`${E}:employeeNumber`]: profile('enterprise', 'employeeNumber'),
  [`${E}:costCenter`]: profile('enterprise', 'costCenter'),
  [`${E}:organization`]: profile('enterprise', 'organization'),
  [`${E}:division`]: profile('enterprise', 'division'),
  [`${E}:department`]: profile('enterprise', 'department'),
  [`${E}:manager.value`]: profile('enterprise', 'manager', 'value'),
  [`${E}:manager`]: profile('enterprise', 'manager', 'value'),
  [`${O}:organizationRole`]: text('m.org_role'),
  [`${O}:modelsSeat`]: text('m.models_seat'),
  [`${O}:weaveAccess`]: text('m.weave_access'),
};
