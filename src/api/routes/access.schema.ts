import { z } from 'zod';

export const scimToken = z.object({ label: z.string().trim().min(1).max(100) }).strict();
