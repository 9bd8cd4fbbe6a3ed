/** Names of the commands between `./browser.ts` and `virtualLockPlugin()`. */
export const LOCK_COMMANDS = {
  start: 'ik-bluetooth-start',
  adapter: 'ik-bluetooth-adapter',
  addLock: 'ik-lock-add',
  faults: 'ik-lock-faults',
  revoke: 'ik-lock-revoke',
  disconnect: 'ik-lock-disconnect',
  advertise: 'ik-lock-advertise',
  report: 'ik-lock-report',
  chooser: 'ik-chooser',
  stop: 'ik-bluetooth-stop',
} as const;
