/**
 * Pieces of the terminal prompter that need no state: what an approval is
 * for, which key answers what, how the requesting process is described, and
 * why a prompt closed. Everything printed here that a client chooses is
 * sanitised (terminal-text.ts).
 */
import type { ApprovalAction, ApprovalDecision, ApprovalPrompt, Prompt, ProcessInfo } from '../core/prompter.js';
import type { Key } from './terminal-keys.js';
import { describeIdentity, UNVERIFIED_TEXT } from '../../shared/process-identity.js';
import { sanitizeLine } from './terminal-text.js';

/** What the approval is about, for the header and the "Action" line; `read` is the usual case. */
export function describeAction(prompt: ApprovalPrompt): { title: string; line?: string; choices: string } {
  const action: ApprovalAction = prompt.action ?? 'read';
  switch (action) {
    case 'read':
      return { title: 'approval request', choices: '[a] Allow once   [s] Allow for this session   [d] Deny   (Esc = Deny)' };
    case 'store':
      return {
        title: 'request to STORE secrets',
        line: `STORE the value this process sends for ${prompt.names.map((name) => `${prompt.server}/${name}`).join(', ')} (new, or replacing the stored one)`,
        choices: '[a] Allow   [d] Deny   (Esc = Deny)',
      };
    case 'delete':
      return {
        title: 'request to DELETE secrets',
        line: `DELETE ${prompt.names.map((name) => `${prompt.server}/${name}`).join(', ')} from the keychain`,
        choices: '[a] Allow   [d] Deny   (Esc = Deny)',
      };
    case 'always_allow':
      return {
        title: 'request to ADD AN ALWAYS-ALLOW RULE',
        line: `ALWAYS GIVE ${refs(prompt)} without asking to: ${prompt.ruleIdentity === undefined ? '(unknown)' : sanitizeLine(describeIdentity(prompt.ruleIdentity), 300)}`,
        choices: '[a] Add rule   [d] Deny   (Esc = Deny)',
      };
    case 'remove_rule':
      return {
        title: 'request to REMOVE ALWAYS-ALLOW RULES',
        line: `REMOVE the always-allow rules of ${refs(prompt)}${prompt.ruleIdentity === undefined ? '' : ` for ${sanitizeLine(describeIdentity(prompt.ruleIdentity), 300)}`}`,
        choices: '[a] Remove   [d] Deny   (Esc = Deny)',
      };
  }
}

function refs(prompt: ApprovalPrompt): string {
  return prompt.names.map((name) => `${prompt.server}/${name}`).join(', ');
}

/** The decision a key gives, or null when it is not an answer. "Allow for session" exists only for reads. */
export function approvalDecision(key: Key, action: ApprovalAction = 'read'): ApprovalDecision | null {
  if (key.kind === 'char') {
    switch (key.char.toLowerCase()) {
      case 'a':
        return 'allow';
      case 's':
        return action === 'read' ? 'allow_session' : null;
      case 'd':
        return 'deny';
      default:
        return null;
    }
  }
  // Esc is Deny (as in the window); so are Ctrl-C and Ctrl-D, and a terminal that went away.
  if (key.kind === 'escape' || key.kind === 'ctrl-c' || key.kind === 'end-of-text' || key.kind === 'closed') return 'deny';
  return null;
}

/** `Process: pid 4242 · /usr/bin/node · verified` plus the command line, all sanitised (a client chooses them). */
export function describeProcess(process: ProcessInfo): string[] {
  const parts = [`pid ${process.pid}`];
  if (process.executable !== undefined) parts.push(sanitizeLine(process.executable, 300));
  parts.push(process.verified ? 'verified' : process.unverifiedReason === 'shared_socket' ? 'UNVERIFIED (shared connection)' : 'unverified (as claimed by the client)');
  if (process.claimedPid !== process.pid) parts.push(`claimed pid ${process.claimedPid}`);
  const lines = [`Process:   ${parts.join(' · ')}`];
  if (process.identity !== undefined) lines.push(`Identity:  ${sanitizeLine(describeIdentity(process.identity), 300)}`);
  if (process.holders !== undefined) {
    lines.push(`           SHARED connection, held by ${process.holders.map((h) => `pid ${h.pid}${h.executable === undefined ? '' : ` ${sanitizeLine(h.executable, 120)}`}`).join(', ')}`);
  }
  if (process.identity === undefined && process.unverifiedReason !== undefined && process.unverifiedReason !== 'platform') {
    lines.push(`           no always-allow rule applies: ${UNVERIFIED_TEXT[process.unverifiedReason]}`);
  }
  if (process.commandLine !== undefined && process.commandLine.trim() !== '') {
    lines.push(`           ${sanitizeLine(process.commandLine, 300)}`);
  }
  return lines;
}

/** Why the core closed a prompt: its deadline passed, or it was cancelled (client cancel, disconnect, shutdown). */
export function closeCause(signal: AbortSignal, prompt: Prompt, now: number): 'timed out' | 'cancelled' {
  const reason: unknown = signal.reason;
  if (typeof reason === 'object' && reason !== null) {
    if ('code' in reason && reason.code === 'timeout') return 'timed out';
    if ('name' in reason && reason.name === 'TimeoutError') return 'timed out';
  }
  return now >= prompt.expiresAt ? 'timed out' : 'cancelled';
}
