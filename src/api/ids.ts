/** The shape of every row id in the directory (a UUID). */
export { UUID } from '../lib/uuid.ts';
