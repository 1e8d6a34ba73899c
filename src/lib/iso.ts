/** An instant on the wire: ISO 8601 in UTC; null stays null. */
export const iso = (d: Date | string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);
