import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  CONTENT_SECURITY_POLICY,
  CSP_HEADER_URLS,
  guardEveryWebContents,
  hardenSession,
  withContentSecurityPolicy,
  type GuardableContents,
  type HardenableSession,
} from '../../src/main/electron/session-hardening.js';

describe('session hardening', () => {
  it('the CSP header is the policy the pages carry in their meta tag', () => {
    assert.equal(
      CONTENT_SECURITY_POLICY,
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'none'; font-src 'self'; connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
  });

  it('replaces any CSP header (whatever its casing) and keeps the other headers', () => {
    assert.deepEqual(withContentSecurityPolicy({ 'content-security-policy': ["default-src *"], 'Content-Type': 'text/html' }), {
      'Content-Type': ['text/html'],
      'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
    });
    assert.deepEqual(withContentSecurityPolicy(undefined), { 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });

  it('permission_escalation: every permission request, check and device request is refused; file: responses get the CSP', () => {
    const set: Record<string, unknown> = {};
    const session: HardenableSession = {
      setPermissionRequestHandler: (h) => (set['request'] = h),
      setPermissionCheckHandler: (h) => (set['check'] = h),
      setDevicePermissionHandler: (h) => (set['device'] = h),
      webRequest: { onHeadersReceived: (filter, listener) => (set['headers'] = { filter, listener }) },
    };
    const logs: string[] = [];
    hardenSession(session, (m) => logs.push(m));

    const request = set['request'] as Parameters<HardenableSession['setPermissionRequestHandler']>[0];
    for (const permission of ['media', 'notifications', 'clipboard-read', 'openExternal', 'geolocation']) {
      let granted: boolean | undefined;
      request({}, permission, (g) => (granted = g));
      assert.equal(granted, false, permission);
    }
    assert.equal(logs.length, 5);
    assert.equal((set['check'] as Parameters<HardenableSession['setPermissionCheckHandler']>[0])({}, 'clipboard-read'), false);
    assert.equal((set['device'] as Parameters<HardenableSession['setDevicePermissionHandler']>[0])({}), false);

    const headers = set['headers'] as { filter: { urls: string[] }; listener: Parameters<HardenableSession['webRequest']['onHeadersReceived']>[1] };
    assert.deepEqual(headers.filter.urls, [...CSP_HEADER_URLS]);
    let response: unknown;
    headers.listener({ responseHeaders: {} }, (r) => (response = r));
    assert.deepEqual(response, { responseHeaders: { 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });

  it('every webContents the app creates is denied new windows and webviews', () => {
    let created: ((event: unknown, contents: GuardableContents) => void) | undefined;
    guardEveryWebContents({ on: (_event, listener) => (created = listener) }, () => undefined);
    let openHandler: ((d: { url: string }) => { action: 'deny' }) | undefined;
    let webview: ((e: { preventDefault(): void }) => void) | undefined;
    created?.({}, { setWindowOpenHandler: (h) => (openHandler = h), on: (_e, l) => (webview = l) });
    assert.deepEqual(openHandler?.({ url: 'https://example.com' }), { action: 'deny' });
    let prevented = false;
    webview?.({ preventDefault: () => (prevented = true) });
    assert.equal(prevented, true);
  });
});
