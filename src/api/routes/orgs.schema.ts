import { z } from 'zod';

export const renameOrg = z.object({ name: z.string().trim().min(1).max(200) }).strict();

export const orgSettings = z
  .object({
    autoProvisioning: z.boolean(),
    domainCapture: z.boolean(),
    teamJoinAtSignup: z.boolean(),
    defaultModelsSeat: z.enum(['full', 'viewer', 'none']),
    seatOverflow: z.enum(['viewer', 'refuse']),
  })
  .partial()
  .strict()
  .refine((s) => Object.keys(s).length > 0, { message: 'give at least one setting' });

export const claimDomain = z.object({ domain: z.string().trim().min(1).max(253) }).strict();

export const defaultTeam = z.object({ teamId: z.uuid().nullable() }).strict();

const seatCount = z.number().int().min(0).nullable();
export const seatLicense = z.object({ fullSeats: seatCount, viewerSeats: seatCount }).strict();

export const billingAdmin = z.object({ userId: z.uuid() }).strict();

export const roleGroup = z.union([
  z.object({ groupName: z.string().trim().min(1).max(256), orgRole: z.enum(['admin', 'member', 'viewer']) }).strict(),
  z.object({ groupName: z.string().trim().min(1).max(256), teamId: z.uuid(), teamRole: z.enum(['admin', 'member', 'view-only']) }).strict(),
]);

export const apiKey = z.object({ label: z.string().trim().min(1).max(100) }).strict();
