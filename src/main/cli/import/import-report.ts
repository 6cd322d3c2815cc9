/**
 * What `keyhold import` prints about each server. Values never appear: a
 * moved value is shown as a mask, a reported one by its name or position.
 */
import type { CommandLine } from '../keyhold-command.js';
import { referenceFor, type ServerPlan } from './import-plan.js';

export const MASK = '••••••••';

const REMOTE_EXPLAINED =
  'keyhold run starts a local (stdio) command with secrets in its environment; it cannot add a header to the HTTP ' +
  'requests your MCP client sends to a remote server, so these stay where they are. Use your client\'s own secret ' +
  'prompt for them where it has one (VS Code: "inputs"), or run the server locally over stdio and import again.';

const ARGS_EXPLAINED =
  'keyhold run hands secrets to a command only as environment variables, so this entry is left as it is: ' +
  'make the server read the value from an environment variable (most have one), then run keyhold import again.';

/** Lines (without the file header) for one server, `dryRun` adding the change itself. */
export function describePlan(plan: ServerPlan, keyhold: CommandLine, dryRun: boolean): string[] {
  const { entry, verdict } = plan;
  switch (verdict.kind) {
    case 'nothing':
      return [`  ${entry.name}: no secret found`];
    case 'already':
      return [`  ${entry.name}: already runs through keyhold`];
    case 'args':
      return [`  ${entry.name}: a secret-looking value in args (argument ${verdict.positions.map((p) => p + 1).join(', ')}); not moved. ${ARGS_EXPLAINED}`];
    case 'remote': {
      const what = [...verdict.headers.map((h) => `header ${h}`), ...(verdict.inUrl ? ['a credential in the URL'] : [])].join(', ');
      return [`  ${entry.name}: remote server with ${what}; not moved. ${REMOTE_EXPLAINED}`];
    }
    case 'import': {
      const names = verdict.secrets.map((s) => `${s.variable} (${reasonText(s.reason)})`).join(', ');
      const lines = [`  ${entry.name}: ${names} → Keyhold server "${plan.server}"`];
      if (!dryRun) return lines;
      const before = [entry.command?.value ?? '', ...entry.args.map((a) => a.value)];
      const after = [keyhold.command, ...keyhold.args, 'run', '--server', plan.server, '--', ...before];
      lines.push(`      command: ${shellWords(before)}`, `           → ${shellWords(after)}`);
      for (const secret of verdict.secrets) lines.push(`      env ${secret.variable}: ${MASK} → ${referenceFor(plan.server, secret.variable)}`);
      for (const [name, value] of Object.entries(keyhold.env ?? {})) lines.push(`      env ${name}: added, ${value} (the command is the app's own binary in Node mode)`);
      return lines;
    }
  }
}

function reasonText(reason: string): string {
  return reason === 'name' ? 'by its name' : reason === 'prefix' ? 'a known key prefix' : 'random-looking';
}

function shellWords(words: readonly string[]): string {
  return words.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", "'\\''")}'`)).join(' ');
}
