import { z } from 'zod';

export const findAccount = z.strictObject({ email: z.string().trim().min(3).max(320) });
export const identity = z.strictObject({ provider: z.string().trim().min(1).max(512), externalId: z.string().min(1).max(512) });
