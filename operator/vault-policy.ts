// The operator's own Vault policy, shipped in the chart (files/vault/operator-policy.hcl, written by
// `npm run chart:sync`) and installed by the tests as the platform team installs it. Its name and
// its role's (crashdesk_operator) are outside crashdesk-*, so the operator cannot rewrite either.

/** The Vault policy of the operator's role: each City's key, policy and role, all named crashdesk-*, and nothing else. */
export function operatorVaultPolicy(mounts: { readonly transit?: string; readonly kubernetes?: string } = {}): string {
  const { transit = 'transit', kubernetes = 'kubernetes' } = mounts;
  return [
    "# crashdesk operator: manages each City's transit key, ACL policy and Kubernetes-auth role, all named",
    '# crashdesk-<namespace>-<name>. It cannot use a key (encrypt, decrypt, datakey, rewrap), export or back',
    '# one up, read or write any other policy or role (its own, crashdesk_operator, included), or touch',
    '# mounts or auth configuration. The glob also covers keys/crashdesk-*/config (deletion_allowed),',
    '# /rotate and /trim.',
    `path "${transit}/keys/crashdesk-*" { capabilities = ["create", "read", "update", "delete"] }`,
    'path "sys/policies/acl/crashdesk-*" { capabilities = ["create", "read", "update", "delete"] }',
    `path "auth/${kubernetes}/role/crashdesk-*" { capabilities = ["create", "read", "update", "delete"] }`,
    '',
  ].join('\n');
}
