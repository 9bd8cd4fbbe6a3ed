export { HANDLE_RE, pageVault, Vault, type EndCode, type VaultEntry } from './vault.ts';
