/**
 * The server's setup guide, rendered from sanitised Markdown. No click on a
 * link navigates this window: main decides whether to open it in the system
 * browser (https to a trusted site only); otherwise the user sees why and can
 * copy the address.
 */
import { useMemo, useState, type MouseEvent } from 'react';

import { errorMessage, hostOf } from '../shared/format.js';
import { api } from './api.js';
import { guideToSafeHtml } from './guide-html.js';

export function GuideMarkdown({ markdown, server }: { markdown: string; server: string }) {
  const html = useMemo(() => guideToSafeHtml(markdown), [markdown]);
  const [blocked, setBlocked] = useState<{ url: string; message: string } | null>(null);

  const openLink = (url: string): void => {
    setBlocked(null);
    api.openLink({ url }).then(
      ({ opened }) => {
        if (!opened) setBlocked({ url, message: blockedMessage(url) });
      },
      (failure: unknown) => setBlocked({ url, message: `Link not opened: ${errorMessage(failure)}` }),
    );
  };

  const onClick = (event: MouseEvent<HTMLDivElement>): void => {
    const link = event.target instanceof Element ? event.target.closest('a') : null;
    if (link === null) return;
    event.preventDefault();
    const href = link.getAttribute('href');
    if (href === null || href === '' || href.startsWith('#')) return;
    openLink(href);
  };

  // Middle clicks would open a new window; links never do.
  const stopLinkAuxClick = (event: MouseEvent<HTMLDivElement>): void => {
    if (event.target instanceof Element && event.target.closest('a') !== null) event.preventDefault();
  };

  return (
    <section className="guide-section" aria-labelledby="guide-heading">
      <h2 id="guide-heading" className="section-label">
        Instructions from {server}
      </h2>
      <div className="guide" data-testid="guide" onClick={onClick} onAuxClick={stopLinkAuxClick} dangerouslySetInnerHTML={{ __html: html }} />
      {blocked === null ? null : <LinkBlocked url={blocked.url} message={blocked.message} onDismiss={() => setBlocked(null)} />}
    </section>
  );
}

function blockedMessage(url: string): string {
  const host = hostOf(url);
  if (host === null || !/^https?:/i.test(url)) return 'Link not opened: Keyhold only opens web links to trusted sites.';
  return `Link not opened: ${host} is not on Keyhold's list of trusted sites.`;
}

function LinkBlocked({ url, message, onDismiss }: { url: string; message: string; onDismiss: () => void }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  const copy = (): void => {
    navigator.clipboard.writeText(url).then(
      () => setCopied(true),
      () => setCopied(copyWithSelection(url)),
    );
  };
  return (
    <div className="banner banner-warn link-blocked" role="status" data-testid="link-blocked">
      <div className="banner-text">
        <p>{message}</p>
        <div className="link-blocked-row">
          <input className="input mono link-blocked-url" readOnly value={url} aria-label="Link address" onFocus={(event) => event.currentTarget.select()} />
          <button type="button" className="btn btn-small" onClick={copy}>
            {copied === true ? 'Copied' : 'Copy link'}
          </button>
          <button type="button" className="btn btn-small btn-plain" onClick={onDismiss}>
            Dismiss
          </button>
        </div>
        {copied === false ? <p className="muted">Could not copy. Select the address and copy it yourself.</p> : null}
      </div>
    </div>
  );
}

/** Fallback when the async clipboard is not permitted: copy through a selected, off-screen text field. */
function copyWithSelection(text: string): boolean {
  const field = document.createElement('textarea');
  field.value = text;
  field.readOnly = true;
  field.className = 'visually-hidden';
  document.body.append(field);
  field.select();
  const copied = document.execCommand('copy');
  field.remove();
  return copied;
}
