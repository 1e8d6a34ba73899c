const dateFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

export const formatDate = (iso) => (iso ? dateFmt.format(new Date(iso)) : '—');
export const formatDateTime = (iso) => (iso ? dateTimeFmt.format(new Date(iso)) : '—');

const unitsAgo = (n, unit) => `${n} ${unit}${n === 1 ? '' : 's'} ago`;

/** "Just now", "3 hours ago", "5 days ago", then the date. */
export function ago(iso, now = Date.now()) {
  if (!iso) return 'Never';
  const s = Math.max(0, (now - new Date(iso).getTime()) / 1000);
  if (s < 90) return 'Just now';
  if (s < 3600) return unitsAgo(Math.round(s / 60), 'minute');
  if (s < 86400 * 1.5) return unitsAgo(Math.round(s / 3600), 'hour');
  if (s < 86400 * 30) return unitsAgo(Math.round(s / 86400), 'day');
  return formatDate(iso);
}

export const ROLE_LABEL = { admin: 'Admin', member: 'Member', viewer: 'Viewer' };
export const SEAT_LABEL = { full: 'Full', viewer: 'Viewer', none: 'None' };
export const TEAM_ROLE_LABEL = { admin: 'Admin', member: 'Member', 'view-only': 'View-only' };
export const STATUS_LABEL = { active: 'Active', pending: 'Pending invitation', deactivated: 'Deactivated' };
