import { z } from '@hono/zod-openapi';
import { roles } from './roles.js';

export const UsernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, 'must be 2 to 64 letters, digits, dots, hyphens or underscores')
  .openapi({ example: 'agent1' });

export const LoginRequestSchema = z
  .strictObject({
    username: z.string().min(1).max(64),
    password: z.string().min(1).max(256),
  })
  .openapi('LoginRequest');

export const UserSchema = z.object({ username: z.string(), role: z.enum(roles), site: z.string() }).openapi('User');

export const LoginResponseSchema = z.object({ token: z.string(), expiresAt: z.iso.datetime(), user: UserSchema }).openapi('LoginResponse');

export const NewUserSchema = z
  .strictObject({
    username: UsernameSchema,
    password: z.string().min(12, 'must be at least 12 characters').max(256),
    role: z.enum(roles),
  })
  .openapi('NewUser');

export const CreatedUserSchema = UserSchema.extend({ createdAt: z.iso.datetime() }).openapi('CreatedUser');

export const AccountSchema = UserSchema.extend({
  disabled: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
}).openapi('Account');

export const AccountListSchema = z.object({ items: z.array(AccountSchema) }).openapi('AccountList');

export const UsernameParamSchema = z.object({
  username: UsernameSchema.openapi({ param: { name: 'username', in: 'path' }, example: 'agent1' }),
});

export const AccountPatchSchema = z
  .strictObject({
    password: z.string().min(12, 'must be at least 12 characters').max(256).optional(),
    role: z.enum(roles).optional(),
    disabled: z.boolean().optional(),
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), 'name at least one of password, role, disabled')
  .openapi('AccountPatch', {
    description:
      'A new password signs the account out everywhere; `disabled: true` does too, and refuses every later login ' +
      'until `disabled: false`. An admin may not disable or demote their own account.',
  });
