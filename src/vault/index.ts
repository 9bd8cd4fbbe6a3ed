export { HANDLE_RE, KeyVault, keyVault, type EndCode, type VaultEntry } from './key-vault.ts';
