export const roles = ['agent', 'supervisor', 'auditor', 'admin'] as const;
export type Role = (typeof roles)[number];

/** Who may do what; routes ask for a permission, never for a role by name. */
export const permissions = {
  'accidents:read': ['agent', 'supervisor'],
  'accidents:write': ['agent', 'supervisor'],
  'accidents:delete': ['supervisor'],
  'accidents:export': ['supervisor'],
  // An intake holds the whole call: only those who record reports from calls may send or see one.
  'intakes:write': ['agent', 'supervisor'],
  'intakes:read': ['agent', 'supervisor'],
  'audit:read': ['auditor'],
  'replication:read': ['supervisor'],
  'users:manage': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissions;

export function can(role: Role, permission: Permission): boolean {
  return (permissions[permission] as readonly Role[]).includes(role);
}
