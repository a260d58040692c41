// What a valid new user looks like; shared by the CLI, and later the admin API and pages.
import { z } from 'zod';

export const roles = ['user', 'helpdesk', 'admin', 'superadmin'] as const;

export const newUserSchema = z.object({
  username: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9._-]{1,99}$/, 'use 2–100 letters, digits, dots, dashes or underscores'),
  email: z.string().trim().toLowerCase().pipe(z.email()),
  mobile: z
    .string()
    .trim()
    .regex(/^\+[1-9][0-9]{6,14}$/, 'use international format, e.g. +15551234567')
    .optional(),
  name: z.string().trim().max(200).default(''),
  role: z.enum(roles).default('user'),
  password: z.string().min(8, 'must be at least 8 characters').max(1024),
});

export type NewUser = z.input<typeof newUserSchema>;
