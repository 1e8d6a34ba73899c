import { z } from 'zod';

// The first-run setup form, checked before anything is created. Each message names the
// field as the form labels it.

const optional = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label} is too long (at most ${max} characters).`)
    .optional()
    .transform((s) => (s ? s : null));

export const setupForm = z.object({
  orgName: z.string({ error: 'Enter the organization name.' }).trim().min(1, 'Enter the organization name.').max(128, 'Organization name is too long (at most 128 characters).'),
  domain: optional(253, 'Email domain'),
  adminEmail: z.string({ error: 'Enter your email address.' }).trim().max(320, 'Your email address is too long.').pipe(z.email({ error: 'Your email address is not a valid address.' })),
  adminName: optional(256, 'Your name'),
});
