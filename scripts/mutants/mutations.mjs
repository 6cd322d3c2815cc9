// The mutations `npm run test:mutants` applies, one at a time, to a scratch
// copy of the tree. Each removes ONE security defence the way a careless
// change could, and names the tests that must fail when it is gone.
//
// Described by behaviour, so a refactor updates a patch, not this list:
//   name     the threat or defence, as SECURITY.md and the tests name it
//   defence  what the mutant takes away
//   patch    edits that locate code by an anchor (the defence's own
//            expression, never a line number). `in` is a file or a folder
//            (searched recursively, .ts/.tsx); `find` must match exactly one
//            place there, or the run stops with "mutation no longer applies:
//            update the patch". `replace` follows String.replace ($1…).
//   tests    literal parts of test names (usually the threat name). The
//            runner runs every test file under test/ that contains one of
//            them, filtered to those tests (--test-name-pattern), so test
//            files can move or be renamed freely. A title built at run time
//            is { name, foundBy }: foundBy is its text in the file.
// A mutant is killed only when one of those tests fails an assertion. A test
// that times out, a file that does not load, a failing hook or a file that
// never exits does not count: the run reports it and fails.

export const MUTATIONS = [
  // ── Bridge transport (src/main/core/bridge-server.ts) ──────────────────
  {
    name: 'bearer_token_prefix',
    defence: 'The whole bearer token is compared (constant time, on SHA-256 digests); the mutant accepts any prefix of it, down to one character.',
    patch: [
      { in: 'src/main', find: /const expected = digest\(options\.token\);/, replace: "const expected = Buffer.from(options.token, 'utf8');" },
      { in: 'src/main', find: /timingSafeEqual\(digest\(presented\), expected\)/, replace: "expected.toString('utf8').startsWith(presented)" },
    ],
    tests: ['unauthenticated_bridge_access'],
  },
  {
    name: 'weak_bridge_token',
    defence: 'The bridge token is 32 bytes (256 bits) from the CSPRNG; the mutant makes it 32 hex characters of 16 bytes (128 bits).',
    patch: [{ in: 'src/main', find: /randomBytes\(32\)\.toString\('base64url'\)/, replace: "randomBytes(16).toString('hex')" }],
    tests: ['unauthenticated_bridge_access: the token carries'],
  },
  {
    name: 'origin_refusal',
    defence: 'An upgrade with any Origin header (a browser) is refused with 403; the mutant lets it through.',
    patch: [{ in: 'src/main', find: /if \(([\w.]*)headers\.origin !== undefined\)/, replace: 'if (false && $1headers.origin !== undefined)' }],
    tests: ['browser_cross_origin_access'],
  },
  {
    name: 'host_check',
    defence: 'The Host header must name this loopback listener (DNS rebinding); the mutant accepts any Host.',
    patch: [{ in: 'src/main', find: /!isLoopbackHost\(/, replace: 'false && !isLoopbackHost(' }],
    tests: ['dns_rebinding'],
  },
  {
    name: 'frame_size_limit',
    defence: 'Frames above 256 KiB close the connection with 1009; the mutant raises the limit a hundredfold.',
    patch: [{ in: 'src/main', find: /maxPayload: (options\.maxPayload \?\? MAX_FRAME_BYTES)/, replace: 'maxPayload: ($1) * 100' }],
    tests: ['oversize_frame'],
  },

  // ── Verification codes (src/main/core/verification-code.ts) ────────────
  {
    name: 'code_from_math_random',
    defence: 'Verification codes come from the CSPRNG; the mutant draws them from Math.random.',
    patch: [{ in: 'src/main', find: /randomBytes\(8\)/, replace: 'Uint8Array.from({ length: 8 }, () => Math.floor(Math.random() * 256))' }],
    tests: ['phishing_window_guesses_code'],
  },
  {
    name: 'code_length',
    defence: 'A verification code has 8 characters (40 bits); the mutant makes it 7.',
    patch: [{ in: 'src/main', find: /randomBytes\(8\)/, replace: 'randomBytes(7)' }],
    tests: ['phishing_window_guesses_code: codes are XXXX-XXXX (8 characters)'],
  },

  // ── Access policy (src/main/core/secret-access.ts) ─────────────────────
  {
    name: 'entry_answer_smuggles_names',
    defence: 'The core keeps only the fields it asked for from an entry answer; the mutant stores every name the prompter returns.',
    patch: [{ in: 'src/main', find: /pickFields\((\w+), ([\w.]+)\)/, replace: '({ ...pickFields($1, $2), ...$2 })' }],
    tests: ['entry_answer_smuggles_names'],
  },
  {
    name: 'store_leaves_session_grant',
    defence: '"Allow for session" on a store or delete allows that change only; the mutant turns it into a read grant for the connection.',
    patch: [{ in: 'src/main', find: /if \(action !== 'read'\) \{/, replace: "if (action !== 'read' && decision !== 'allow_session') {" }],
    tests: ['store_leaves_session_grant'],
  },
  {
    name: 'grant_end_on_disconnect',
    defence: 'A session grant ends when its connection closes; the mutant keeps it.',
    patch: [{ in: 'src/main', find: /\n[ \t]*[\w.]*grants\.endSession\([^)]*\);/, replace: '' }],
    tests: ['session_grant_outlives_connection'],
  },

  {
    name: 'entry_overwrite_without_store',
    defence: 'An entry that would replace a stored value needs a STORE approval, and the use case refuses to write it without one; the mutant finds nothing to approve.',
    patch: [{ in: 'src/main', find: /return names\.filter\(\(name\) => vault\.has\(server, name\) && vault\.meta\(server, name\)\?\.invalidated === undefined\);/, replace: 'return [];' }],
    tests: ['entry_default_overwrites_stored_secret: replacing a stored value from an entry'],
  },
  {
    name: 'password_default_kept',
    defence: 'The core drops the client\'s default of a password field before the prompter sees it; the mutant passes it on.',
    patch: [{ in: 'src/main', find: /if \(field\.type !== 'password' \|\| field\.default === undefined\) return field;/, replace: 'return field;' }],
    tests: ['entry_default_overwrites_stored_secret: replacing a stored value from an entry'],
  },
  {
    name: 'invalidate_by_non_reader',
    defence: 'Only a session handed the current value may report it rejected; the mutant lets any connection of the server do it.',
    patch: [{ in: 'src/main', find: /const notHanded = params\.names\.filter\(\(name\) => !this\.wasHanded\(session, name\)\);/, replace: 'const notHanded: string[] = [];' }],
    tests: ['invalidate_by_non_reader'],
  },

  // ── Client text on screen (src/shared/client-text.ts, src/main/cli, src/main/core/refusal-log.ts) ──
  {
    name: 'blank_characters_kept',
    defence: 'Blank-looking characters in client text become plain spaces; the mutant keeps them.',
    patch: [{ in: 'src/shared', find: /\.replace\(BLANK_LOOKING, \(ch\) => \(ch === ' ' \? ch : ' '\)\)/, replace: '' }],
    tests: ['terminal_blank_char_spoof: blank-looking characters collapse'],
  },
  {
    name: 'bidi_controls_kept',
    defence: 'Invisible and bidi-control characters in client text become a visible mark; the mutant lets them through.',
    patch: [{ in: 'src/shared', find: /\.replace\(INVISIBLE, INVISIBLE_MARK\)/, replace: '' }],
    tests: ['bidi_override_in_client_text: embeddings'],
  },
  {
    name: 'client_text_row_cap',
    defence: 'Each client text is cut to a few rows in the terminal (the guide to 12); the mutant shows it all.',
    patch: [{ in: 'src/main', find: /guide: 12,/, replace: 'guide: 1_000_000,' }],
    tests: ['terminal_blank_char_spoof: blank-looking characters collapse'],
  },
  {
    name: 'refusal_log_every_line',
    defence: 'Refused connections are logged once, then summarised once per interval; the mutant logs every one.',
    patch: [{ in: 'src/main', find: /if \(this\.window === undefined\) \{/, replace: 'if (true) {' }],
    tests: ['refused_connection_log_flood: 300 tokenless attempts'],
  },

  // ── Grants, cache, rules ───────────────────────────────────────────────
  {
    name: 'grant_ttl_boundary',
    defence: 'A grant is over at the instant its TTL runs out; the mutant lets it cover one more millisecond.',
    patch: [{ in: 'src/main', find: /grant\.expiresAt <= now/, replace: 'grant.expiresAt < now' }],
    tests: ['session_grant_outlives_ttl'],
  },
  {
    name: 'cache_drop_on_revoke',
    defence: 'Cached values are dropped (and zeroed) when their grant ends; the mutant stops listening for ended grants.',
    patch: [{ in: 'src/main', find: /[\w.]*onRemoved\(\((\w+)\) => this\.grantsEnded\(\1\)\),?/, replace: '' }],
    tests: ['stale_or_unauthorised_cached_value: revoke drops'],
  },
  {
    name: 'rule_name_match',
    defence: 'An always-allow rule covers its own secret name only; the mutant lets it cover every name of its server.',
    patch: [
      {
        in: 'src/main',
        find: /(const perName = names\.map\(\(name\) => this\.rules\.filter\(\(rule\) => )rule\.server === server && rule\.name === name/,
        replace: '$1rule.server === server',
      },
    ],
    tests: ['rule_covers_other_secret'],
  },

  {
    name: 'rule_identity_match',
    defence: 'An always-allow rule applies only to the verified process it was made for; the mutant lets any process of that server name use it.',
    patch: [
      {
        in: 'src/main/core/rules.ts',
        find: /(const unmatched = perName\.filter\(\(rules\) => !rules\.some\(\(rule\) => )rule\.identity !== undefined && identityDifferences\(rule\.identity, identity\)\.length === 0/,
        replace: '$1true',
      },
    ],
    tests: ['rule_spoofed_server_name'],
  },
  {
    name: 'shared_socket_check',
    defence: 'A socket held by more than one process is shown shared and unverified; the mutant trusts the claimed pid among the holders.',
    patch: [
      {
        in: 'src/main/core/process-identity.ts',
        find: /if \(lookup\.pids\.length > 1\) \{/,
        replace: 'if (lookup.pids.length > 1 && !lookup.pids.includes(claimedPid)) {',
      },
    ],
    tests: ['borrowed_socket_identity'],
  },

  // ── Storage ────────────────────────────────────────────────────────────
  {
    name: 'keychain_namespace_per_server',
    defence: 'Keychain entries live under keyhold/<server>; the mutant puts every server in one namespace.',
    patch: [{ in: 'src/main', find: /return `\$\{KEYCHAIN_SERVICE_PREFIX\}\$\{server\}`;/, replace: 'return KEYCHAIN_SERVICE_PREFIX;' }],
    tests: ['cross_server_secret_read'],
  },
  {
    name: 'journal_before_keychain_write',
    defence: 'A put is journalled in index.json before the keychain is written; the mutant writes the keychain first-and-only.',
    patch: [{ in: 'src/main', find: /\n[ \t]*await this\.journal\([^;]*'put'[^;]*\);/, replace: '' }],
    tests: ['keychain_index_divergence_after_crash: every keychain write'],
  },

  // ── Data directory (src/shared/data-dir-ownership.ts, src/main/core/data-dir-guard.ts) ─
  {
    name: 'data_dir_owner_check',
    defence: 'A data dir or bridge.json owned by another user is refused; the mutant accepts any owner.',
    patch: [{ in: 'src/shared', find: /if \(info\.uid !== uid\) \{/, replace: 'if (false) {' }],
    tests: ['foreign_owned_data_dir', 'bridge_json_swapped_by_other_user'],
  },
  {
    name: 'data_dir_mode_check',
    defence: 'A data dir or bridge.json writable by group or others is refused; the mutant accepts any mode.',
    patch: [{ in: 'src/shared', find: /if \(\(info\.mode & GROUP_OR_OTHER_WRITABLE\) !== 0\) \{/, replace: 'if (false) {' }],
    tests: ['foreign_owned_data_dir', 'bridge_json_swapped_by_other_user'],
  },
  {
    name: 'data_dir_symlinks_followed',
    defence: 'Files in the data dir are opened with O_NOFOLLOW; the mutant follows links.',
    patch: [{ in: 'src/main', find: /export const NO_FOLLOW = constants\.O_NOFOLLOW \?\? 0;/, replace: 'export const NO_FOLLOW = 0;' }],
    tests: ['activity_log_symlink_planted', 'json_store_symlink_planted: an index.json', 'json_store_symlink_planted: a rules.json'],
  },

  // ── Activity log (src/main/core/activity-log.ts) ───────────────────────
  {
    name: 'rule_reads_written_one_by_one',
    defence: 'Rule-allowed reads are counted like other unattended outcomes; the mutant writes one line per read.',
    patch: [{ in: 'src/main', find: /(COUNTED_ACTIONS\b[^\n]*?)'allowed_by_rule',\s*/, replace: '$1' }],
    tests: [{ name: 'audit_log_flushing: 1,000 allowed_by_rule outcomes', foundBy: 'audit_log_flushing: 1,000 ${action} outcomes' }],
  },
  {
    name: 'audit_reservation',
    defence: 'User decisions have their own file and rotation budget; the mutant writes unattended lines into it too.',
    patch: [{ in: 'src/main', find: /this\.queued\.push\(\{ unattended: UNATTENDED_ACTIONS\.has\(record\.action\), line \}\);/, replace: 'this.queued.push({ unattended: false, line });' }],
    tests: ['audit_trail_flush: unattended lines that are not counted'],
  },
  {
    name: 'client_named_failures_by_name',
    defence: 'Failures on client-chosen names are counted per session and action whatever the names; the mutant counts them per name set again.',
    patch: [{ in: 'src/main', find: /clientNamed \? null : record\.names/, replace: 'record.names' }],
    tests: ['audit_trail_flush'],
  },
  {
    name: 'activity_record_fields',
    defence: 'An activity record copies only known fields; the mutant copies the whole entry, so a stray value property is written.',
    patch: [{ in: 'src/main', find: /const record: ActivityEntry = \{/, replace: 'const record: ActivityEntry = { ...(entry as ActivityEntry),' }],
    tests: ['secret_value_in_activity_log: copies only known fields'],
  },

  // ── Electron adapter ───────────────────────────────────────────────────
  {
    name: 'ipc_unregistered_sender',
    defence: 'The IPC router refuses a sender that is not a registered Keyhold window; the mutant drops that check.',
    patch: [{ in: 'src/main/electron', find: /\n[ \t]*if \((\w+) === undefined\) return \{ ok: false, reason: `an unregistered webContents[^\n]*/, replace: '' }],
    tests: ['forged_sender'],
  },
  {
    name: 'link_scheme_check',
    defence: 'Links from a guide open only over https; the mutant accepts any scheme on an allowed host.',
    patch: [{ in: 'src/main', find: /url\.protocol !== 'https:' \|\| /, replace: '' }],
    tests: ['unsafe_external_link'],
  },

  // ── keyhold run (src/main/cli/output-masker.ts) ────────────────────────
  {
    name: 'output_masking_json_forms',
    defence: 'A child’s output is masked in the JSON-escaped forms of each value too; the mutant masks only the raw and URL-encoded forms.',
    patch: [{ in: 'src/main', find: /const forms = \[value, [^\]]*\];/, replace: 'const forms = [value, encodeURIComponent(value)];' }],
    tests: ['secret_in_child_output: masks the JSON-escaped'],
  },

  // ── keyhold import and the packaged CLI (src/main/cli; the tests run the bundle, rebuilt per mutant) ──
  {
    name: 'import_write_if_unchanged',
    defence: 'keyhold import writes a config only if it still holds the text it read; the mutant writes whatever is there.',
    patch: [{ in: 'src/main/cli/import/config-file.ts', find: 'if (now !== loaded.text) {', replace: 'if (now !== loaded.text && false) {' }],
    tests: ['import_clobbers_concurrent_edit'],
  },
  {
    name: 'import_free_server_name',
    defence: 'keyhold import stores under a free server name when the names are taken; the mutant replaces the stored key.',
    patch: [{ in: 'src/main/cli/import/import-run.ts', find: 'if (!status.some((s) => s.exists)) return candidate;', replace: 'return candidate;' }],
    tests: ['import_overwrites_stored_key'],
  },
  {
    name: 'cli_drops_node_mode',
    defence: 'On the app binary the CLI deletes ELECTRON_RUN_AS_NODE before starting commands; the mutant passes it on.',
    patch: [{ in: 'src/main/cli/bin-entry.ts', find: "delete process.env['ELECTRON_RUN_AS_NODE'];", replace: 'void 0;' }],
    tests: ['electron_run_as_node_inherited'],
  },

  // ── @keyhold/bridge client (src/bridge/client.ts) ──────────────────────
  {
    name: 'cancel_on_abort',
    defence: 'A request whose caller gives up (abort, timeout) sends `cancel`, so its window closes; the mutant sends nothing.',
    patch: [{ in: 'src/bridge', find: /\n[ \t]*[\w.]*\.send\(encodeRequest\(newRequestId\(\), 'cancel', \{ id \}\)\);/, replace: '' }],
    tests: ['abandoned_request_window'],
  },

  // ── request links and sealed request state (src/main/core/request-link-route.ts, src/bridge/mcp/request-state.ts) ──
  {
    name: 'request_link_host_check',
    defence: 'A request link is answered only for a Host naming this loopback listener; the mutant answers any Host.',
    patch: [{ in: 'src/main', find: /if \(!hostAllowed\) return /, replace: 'if (false) return ' }],
    tests: ['request_link_dns_rebinding'],
  },
  {
    name: 'request_link_rate_limit',
    defence: 'Request links are rate limited (429); the mutant never refuses.',
    patch: [{ in: 'src/main', find: /if \(!this\.take\(\)\)/, replace: 'if (false)' }],
    tests: ['request_link_id_guessing'],
  },
  {
    name: 'request_state_mac_check',
    defence: 'A requestState whose HMAC does not verify is refused; the mutant accepts any tag.',
    patch: [{ in: 'src/bridge', find: /if \(presented\.length !== expected\.length \|\| !timingSafeEqual\(presented, expected\)\)/, replace: 'if (false)' }],
    tests: ['request_state_tampering: any changed character'],
  },
  {
    name: 'request_state_single_use',
    defence: 'A requestState opens once; the mutant lets it be replayed.',
    patch: [{ in: 'src/bridge', find: /if \(this\.used\.has\(payload\.nonce\)\)/, replace: 'if (false)' }],
    tests: ['request_state_replay'],
  },
  // ── limits shared by all connections (src/main/core/connection-limits.ts), the terminal's waiting line ──
  {
    name: 'pending_payload_across_connections',
    defence: 'Requests waiting for the user hold at most the pending-payload budget over all connections; the mutant admits every request.',
    patch: [{ in: 'src/main', find: /if \(!withinOwnShare && this\.used \+ bytes > this\.totalBytes\)/, replace: 'if (false)' }],
    tests: ['pending_payload_across_connections'],
  },
  {
    name: 'connection_cap_per_process',
    defence: 'A process holds at most its cap of connections (hello gets busy); the mutant admits every hello.',
    patch: [{ in: 'src/main', find: /if \(count >= cap\)/, replace: 'if (false)' }],
    tests: ['connection_cap_held_by_one_process'],
  },
  {
    name: 'full_server_keeps_silent_sockets',
    defence: 'A full server drops the oldest connection that never said hello for a new one; the mutant keeps them, so silent sockets hold it full.',
    patch: [{ in: 'src/main', find: /if \(connection\.saidHello\) continue;/, replace: 'continue;' }],
    tests: ['connection_cap_held_by_one_process'],
  },
  {
    name: 'terminal_prompt_switch',
    defence: 'Tab shows the next waiting prompt in the terminal; the mutant ignores it, so the prompt on screen holds up every other.',
    patch: [{ in: 'src/main', find: /return key\.kind === 'tab';/, replace: 'return false;' }],
    tests: ['terminal_prompt_queue_starvation'],
  },
  {
    name: 'terminal_prompt_arrival_unlisted',
    defence: 'A prompt that arrives while another is on screen is listed with its code at once; the mutant lists nothing.',
    patch: [{ in: 'src/main', find: /if \(this\.active !== null\) this\.announce\(prompt\);/, replace: '' }],
    tests: ['terminal_prompt_queue_starvation'],
  },
];
